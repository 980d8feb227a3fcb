// Starts a pool worker inside a worker thread when running from TypeScript sources (vitest, scripts): Node 20
// cannot strip types, so vite (installed with vitest) transforms the module named by `workerData.devEntry`.
// Built code never uses this file: the pool starts the compiled worker module directly.
import { workerData } from 'node:worker_threads';
import { runnerImport } from 'vite';

await runnerImport(workerData.devEntry, { configFile: false, logLevel: 'silent' });
