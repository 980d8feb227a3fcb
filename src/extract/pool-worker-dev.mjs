// Starts pool-worker.ts inside a worker thread when running from TypeScript sources (vitest, scripts):
// Node 20 cannot strip types, so vite (installed with vitest) transforms the module. Built code never
// uses this file: dist/src/extract/pool-worker.js runs directly.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

await runnerImport(fileURLToPath(new globalThis.URL('./pool-worker.ts', import.meta.url)), {
  configFile: false,
  logLevel: 'silent',
});
