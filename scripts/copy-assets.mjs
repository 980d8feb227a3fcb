// Copies non-TypeScript runtime assets (Lua scripts, demo fixtures) next to the compiled code.
import { cpSync, existsSync } from 'node:fs';

const assets = [
  ['src/store/lua', 'dist/src/store/lua'],
  ['src/demo/site', 'dist/src/demo/site'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
