import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './redis.js';

/**
 * Lua scripts live in src/store/lua as `<name>-<numKeys>.lua` (BullMQ's convention), their shared helpers in
 * src/store/lua/includes; the build copies them next to the compiled code. ioredis `defineCommand` runs them by EVALSHA, loading on NOSCRIPT.
 */
const LUA_DIR = new URL('./lua/', import.meta.url);

export function loadLua(name: string): { lua: string; numberOfKeys: number } {
  const m = /-(\d+)$/.exec(name);
  if (!m) throw new Error(`script name must end in -<numKeys>: ${name}`);
  const lua = expandIncludes(readLua(`${name}.lua`), new Set());
  return { lua, numberOfKeys: Number(m[1]) };
}

/**
 * Helpers shared by several scripts live in lua/includes/<name>.lua and are pulled in by a line
 * `--- @include "<name>"` (BullMQ's convention), each at most once per script, includes of includes too.
 */
const INCLUDE = /^--- @include "([\w-]+)"[ \t]*$/gm;

function expandIncludes(lua: string, seen: Set<string>): string {
  return lua.replace(INCLUDE, (_line, include: string) => {
    if (seen.has(include)) return '';
    seen.add(include);
    return expandIncludes(readLua(`includes/${include}.lua`), seen);
  });
}

function readLua(file: string): string {
  return readFileSync(fileURLToPath(new URL(file, LUA_DIR)), 'utf8');
}

const defined = new WeakMap<RedisClient, Set<string>>();

/** Runs a named script on a client, defining it once per client. */
export async function runScript(
  client: RedisClient,
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
