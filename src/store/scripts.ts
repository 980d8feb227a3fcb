import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * Lua scripts live in src/store/lua as `<name>-<numKeys>.lua` (BullMQ's convention); the build copies
 * them next to the compiled code. ioredis `defineCommand` runs them by EVALSHA, loading on NOSCRIPT.
 */
const LUA_DIR = new URL('./lua/', import.meta.url);

export function loadLua(name: string): { lua: string; numberOfKeys: number } {
  const m = /-(\d+)$/.exec(name);
  if (!m) throw new Error(`script name must end in -<numKeys>: ${name}`);
  const lua = readFileSync(fileURLToPath(new URL(`${name}.lua`, LUA_DIR)), 'utf8');
  return { lua, numberOfKeys: Number(m[1]) };
}

const defined = new WeakMap<Redis, Set<string>>();

/** Runs a named script on a client, defining it once per client. */
export async function runScript(
  client: Redis,
  name: string,
  keys: string[],
  args: (string | number | Buffer)[],
): Promise<unknown> {
  const cmd = `nf_${name.replace(/-/g, '_')}`;
  let names = defined.get(client);
  if (!names) defined.set(client, (names = new Set()));
  if (!names.has(cmd)) {
    const { lua, numberOfKeys } = loadLua(name);
    if (numberOfKeys !== keys.length) {
      throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    }
    client.defineCommand(cmd, { lua, numberOfKeys });
    names.add(cmd);
  }
  const fn = (client as unknown as Record<string, (...a: (string | number | Buffer)[]) => Promise<unknown>>)[
    cmd
  ];
  if (!fn) throw new Error(`script ${name} not defined`);
  return fn.call(client, ...keys, ...args);
}
