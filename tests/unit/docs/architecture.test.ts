import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_DEFAULTS } from '../../../src/config/schema.js';
import { keysFor } from '../../../src/store/keys.js';

/**
 * docs/ARCHITECTURE.md stays true to the tree where a machine can tell: every file it names exists, and its
 * layout table lists every folder under src/ (and nothing that is gone).
 */
const root = join(import.meta.dirname, '../../..');
const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === '.git') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(relative(root, p));
  }
  return out;
}
const files = walk(root, []);

describe('docs/ARCHITECTURE.md against the tree', () => {
  it('every file it names exists (by its path, or a path ending in it)', () => {
    const named = [...doc.matchAll(/`([\w./-]+\.(?:ts|lua|mjs|cjs|json|ya?ml|py))`/g)].map(m => m[1]!);
    expect(named.length).toBeGreaterThan(50);
    const missing = named.filter(n => !files.some(f => f === n || f.endsWith(`/${n}`)));
    expect(missing).toEqual([]);
  });

  it('its layout table lists every folder under src/, and only those', () => {
    const listed = [...doc.matchAll(/^\| `src\/(\w+)` +\|/gm)].map(m => m[1]!).sort();
    const actual = readdirSync(join(root, 'src'))
      .filter(d => statSync(join(root, 'src', d)).isDirectory())
      .filter(d => d !== 'demo')
      .sort();
    expect(listed).toEqual(actual);
    expect(existsSync(join(root, 'src/demo'))).toBe(true);
    expect(doc).toMatch(/`src\/demo` holds the offline demo site/);
  });

  it('every key it names is one store/keys.ts builds', () => {
    const keysSource = readFileSync(join(root, 'src/store/keys.ts'), 'utf8');
    const built = Object.values(keysFor('P')).filter((v): v is string => typeof v === 'string');
    // The fixed parts of every key template in keys.ts: `${keys.prefix}:websub:renewals` → ':websub:renewals'.
    const templates = [...keysSource.matchAll(/`\$\{(?:keys\.)?prefix\}([^`]*)`/g)].map(m => m[1]!);
    const named = [...new Set([...doc.matchAll(/`<prefix>([^`]*)`/g)].map(m => m[1]!))];
    expect(named.length).toBeGreaterThan(10);
    const unknown = named.filter(n => {
      const fixed = n.split(/<[^>]*>|…|\{hostname\}/)[0]!;
      return !built.some(b => b.startsWith(`P${fixed}`)) && !templates.some(t => t.startsWith(fixed));
    });
    // The one key the doc names as gone: the publisher table before it became one hash per name.
    expect(unknown).toEqual([':{stories}:publishers']);
    expect(doc).toMatch(
      /`<prefix>:\{stories\}:publishers`, first writer\s+wins, never expiring; it is no longer read/,
    );
  });

  it('every default it quotes as `section.option` (value) is the schema default', () => {
    const units: Record<string, number> = { ms: 1, s: 1e3, min: 60e3, h: 3600e3, d: 86400e3 };
    const quoted = [...doc.matchAll(/`([a-z]+(?:\.[a-zA-Z]+)+)` \(([\d., ]+)(?: ?(ms|s|min|h|d))?\)/g)];
    expect(quoted.length).toBeGreaterThan(8);
    for (const [, path, value, unit] of quoted) {
      const actual = path!
        .split('.')
        .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], SERVICE_DEFAULTS);
      const numbers = value!.split(',').map(v => Number(v.trim()) * (unit ? units[unit]! : 1));
      expect({ path, actual }).toEqual({ path, actual: numbers.length > 1 ? numbers : numbers[0] });
    }
  });
});
