import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

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
});
