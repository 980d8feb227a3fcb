// Runs a TypeScript module's `main(args)` in a child process. Node 20 cannot strip types, so vite (which vitest
// is built on and already installed) transforms the module: `node run-ts.mjs <module.ts> [args…]`.
import process from 'node:process';
import { runnerImport } from 'vite';

const [file, ...args] = process.argv.slice(2);
if (!file) throw new Error('usage: node run-ts.mjs <module.ts> [args…]');
const { module } = await runnerImport(file, { configFile: false, logLevel: 'silent' });
await module.main(args);
