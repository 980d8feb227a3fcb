import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLua } from '../../../src/store/scripts.js';

const dir = join(import.meta.dirname, '../../../src/store/lua');
const scripts = readdirSync(dir)
  .filter(f => f.endsWith('.lua'))
  .map(f => f.replace(/\.lua$/, ''));

describe('Lua scripts: one loader, BullMQ-style includes', () => {
  it('expands every include once, leaving no directive behind', () => {
    for (const name of scripts) {
      const { lua } = loadLua(name);
      expect(lua, name).not.toMatch(/^--- @include/m);
      const raw = readFileSync(join(dir, `${name}.lua`), 'utf8');
      for (const [, inc] of raw.matchAll(/^--- @include "([\w-]+)"/gm)) {
        const body = readFileSync(join(dir, 'includes', `${inc}.lua`), 'utf8');
        expect(lua.split(body).length - 1, `${name} includes ${inc} once`).toBe(1);
      }
    }
  });

  // Story events (`story.*`); record-failure writes the failures stream, which is not an event stream.
  it('every script that publishes does it through the shared publishEvent (one field order for all events)', () => {
    const publishers = scripts.filter(n =>
      /'story\.[a-z_]+'|publishEvent/.test(readFileSync(join(dir, `${n}.lua`), 'utf8')),
    );
    expect(publishers.sort()).toEqual(['decide-article-4', 'prune-story-4']);
    for (const name of publishers) {
      const raw = readFileSync(join(dir, `${name}.lua`), 'utf8');
      expect(raw, name).not.toMatch(/'XADD'/);
      expect(raw, name).toMatch(/^--- @include "publish-event"$/m);
    }
  });

  it('names its keys count and refuses a script without one', () => {
    expect(loadLua('prune-story-4').numberOfKeys).toBe(4);
    expect(() => loadLua('prune-story')).toThrow(/-<numKeys>/);
  });
});
