// Runs a TypeScript module's `main(args)`: Node 20 cannot strip types, so vite (installed with vitest)
// transforms it on the fly. `node eval/dedupe/run-ts.mjs <module.ts> [args…]`; the exit code is main's.
import process from 'node:process';
import { runnerImport } from 'vite';

const [file, ...args] = process.argv.slice(2);
if (!file) throw new Error('usage: node run-ts.mjs <module.ts> [args…]');
const { module } = await runnerImport(file, { configFile: false, logLevel: 'silent' });
const code = await module.main(args);
process.exit(typeof code === 'number' ? code : 0);
