// Copies non-TypeScript runtime assets (Lua scripts, demo fixtures, the console's stylesheet) next to the compiled code.
import { cpSync, existsSync } from 'node:fs';

const assets = [
  ['src/store/lua', 'dist/src/store/lua'],
  ['src/demo/site', 'dist/src/demo/site'],
  ['src/api/console/console.css', 'dist/src/api/console/console.css'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
