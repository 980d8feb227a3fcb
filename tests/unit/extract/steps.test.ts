import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { removeBoilerplate } from '../../../src/extract/content/boilerplate.js';
import { parseLiteDocument } from '../../../src/extract/content/dom/parse.js';
import { blockText } from '../../../src/extract/content/text.js';
import { PAGE, STORY } from '../../helpers/story-text.js';
import { BOILERPLATE_RULES, EXTRACT_STEPS } from '../../../src/extract/steps.js';

function clean(html: string, without?: string[]): { text: string; rules: string[] } {
  const doc = parseLiteDocument(`<div id="root">${html}</div>`, PAGE);
  const root = doc.getElementById('root') as unknown as Element;
  const rules: string[] = [];
  removeBoilerplate(root, {
    pageUrl: PAGE,
    trace: rule => rules.push(rule),
    without: without && new Set(without),
  });
  return { text: blockText(root), rules };
}

describe('extraction steps (newsflow extract --without)', () => {
  it('name every rule the boilerplate pass can report, so --without never silently does nothing', () => {
    const source = readFileSync(
      new URL('../../../src/extract/content/boilerplate.ts', import.meta.url),
      'utf8',
    );
    const literal = [...source.matchAll(/drop\([\w.]+, '([a-z-]+)'\)/g)].map(m => m[1]);
    const ternary = [...source.matchAll(/\? '([a-z-]+)' : '([a-z-]+)'\)/g)].flatMap(m => [m[1], m[2]]);
    const named = new Set<string>([...literal, ...ternary, 'tail-section'].filter((r): r is string => !!r));
    expect(named.size).toBeGreaterThan(15);
    for (const rule of named) expect(BOILERPLATE_RULES).toContain(rule);
    expect(EXTRACT_STEPS).toEqual(expect.arrayContaining(['block-model', 'story-container']));
  });

  it('leave out exactly the steps named', () => {
    const html = `${STORY}<nav><a href="/a">Home</a> <a href="/b">Port news</a></nav>${STORY}`;
    const all = clean(html);
    expect(all.rules).toContain('nav');
    expect(all.text).not.toContain('Port news');
    const withoutNav = clean(html, ['nav']);
    expect(withoutNav.rules).not.toContain('nav');
    expect(withoutNav.text).toContain('Port news');
    expect(clean(html, ['class']).text).not.toContain('Port news');
  });
});
