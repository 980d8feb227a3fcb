import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPrefix } from '../../helpers/redis.js';
import { publishDemo, type Published } from '../api/fixtures.js';

/** The top-level keys of one JSON object text, in order, duplicates kept (JSON.parse keeps only the last). */
export function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

/** Issue 13 item 9: a JSON log line never carries a key twice (pino child bindings plus the same field in the call). */
describe('log lines of a pipeline run', { timeout: 120_000 }, () => {
  const lines: string[] = [];
  let pub: Published;

  beforeAll(async () => {
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line.trim()) });
    pub = await publishDemo(testPrefix('logkeys'), { log });
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('the key scanner sees duplicates', () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2},"c":"x\\"y","a":3}')).toEqual(['a', 'b', 'c', 'a']);
  });

  it('has no line with a key twice, and the poll and article lines name their feed and URL', () => {
    expect(lines.length, lines.join('\n')).toBeGreaterThanOrEqual(4);
    const twice = lines
      .map(l => ({ l, keys: topLevelKeys(l) }))
      .filter(({ keys }) => new Set(keys).size !== keys.length)
      .map(({ l }) => l);
    expect(twice).toEqual([]);
    const parsed = lines.map(l => JSON.parse(l) as Record<string, unknown>);
    const stored = parsed.filter(
      p => p.msg === 'article stored' || String(p.msg).startsWith('article joined'),
    );
    expect(stored.length).toBeGreaterThan(0);
    for (const p of stored) {
      expect(typeof p.url === 'string' && typeof p.feedId === 'string', JSON.stringify(p)).toBe(true);
    }
  });
});
