import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/app.js';
import { decodeBody } from '../../../src/store/body.js';
import { createConsumer } from '../../../src/consumer/consumer.js';
import { REQUIRED_EVENT_FIELDS, STREAM_EVENT_TYPES, fieldsToRecord } from '../../../src/consumer/events.js';
import { createMetricsRegistry } from '../../../src/metrics/registry.js';
import { testPrefix, testRedisUrl } from '../../helpers/redis.js';
import { publishDemo, type Published } from './fixtures.js';

const SCHEMA_DIR = 'docs/schema';
const BASE = 'https://github.com/newsflow/newsflow/docs/schema/';

function loadAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  for (const file of readdirSync(SCHEMA_DIR).filter(f => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

function validator(ajv: Ajv, name: string): ValidateFunction {
  const v = ajv.getSchema(`${BASE}${name}`);
  if (!v) throw new Error(`schema ${name} not loaded`);
  return v;
}

function check(v: ValidateFunction, data: unknown, what: string): void {
  const ok = v(data);
  expect(ok, `${what}: ${JSON.stringify(v.errors)}`).toBe(true);
}

describe('docs/schema validates what the pipeline, the API and the consumer write (ajv)', () => {
  let pub: Published;
  let app: FastifyInstance;
  let ajv: Ajv;

  beforeAll(async () => {
    ajv = loadAjv();
    pub = await publishDemo(testPrefix('schema'));
    const rt = pub.rt;
    const queues = [rt.pollQueue, rt.articleQueue];
    app = buildApi({
      redis: rt.producer,
      keys: rt.keys,
      feeds: () => rt.config.feeds,
      queues,
      adminToken: null,
      isReady: () => true,
      store: rt.store,
      metrics: createMetricsRegistry({
        redis: rt.producer,
        keys: rt.keys,
        queues,
        feeds: () => [],
        processMetrics: false,
      }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await pub?.close();
  });

  it('every stream entry is a valid event, and the TypeScript contract lists the same fields and types', async () => {
    const entries = await pub.rt.redis.xrange(pub.rt.keys.stream, '-', '+');
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const v = validator(ajv, 'stream-event.json');
    for (const [id, flat] of entries) check(v, fieldsToRecord(flat), `event ${id}`);
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'stream-event.json'), 'utf8')) as {
      required: string[];
      properties: { type: { enum: string[] } };
    };
    expect([...schema.required].sort()).toEqual([...REQUIRED_EVENT_FIELDS].sort());
    expect(schema.properties.type.enum).toEqual([...STREAM_EVENT_TYPES]);
  });

  it('the schemas reject broken events', () => {
    const v = validator(ajv, 'stream-event.json');
    const good = {
      type: 'story.created',
      storyId: 'a1',
      articleId: 'a1',
      url: 'https://x.test/',
      version: '1',
      at: '2026-01-01T00:00:00Z',
    };
    expect(v(good)).toBe(true);
    expect(v({ ...good, storyId: undefined })).toBe(false);
    expect(v({ ...good, version: 'one' })).toBe(false);
    expect(v({ ...good, at: 'yesterday' })).toBe(false);
    expect(v({ ...good, type: 'story.deleted' })).toBe(false);
  });

  it('every stored story body and member record is valid', async () => {
    const { redis, keys, store } = pub.rt;
    const article = validator(ajv, 'article.json');
    const member = validator(ajv, 'member.json');
    let stories = 0;
    for await (const ids of store.storyIds()) {
      for (const storyId of ids) {
        stories++;
        const rep = (await redis.hget(keys.story(storyId), 'rep'))!;
        check(article, decodeBody((await redis.getBuffer(keys.body(rep)))!), `body of ${storyId}`);
      }
    }
    expect(stories).toBeGreaterThanOrEqual(2);
    const articleIds = await redis.zrange(keys.articlesByTime, 0, -1);
    for (const id of articleIds) {
      check(member, JSON.parse((await redis.get(keys.article(id)))!), `member ${id}`);
    }
  });

  it('API article and story views are valid', async () => {
    const articleView = validator(ajv, 'article-view.json');
    const story = validator(ajv, 'story.json');
    const ids = await pub.rt.redis.zrange(pub.rt.keys.articlesByTime, 0, -1);
    for (const id of ids) {
      const a = (await app.inject(`/articles/${id}`)).json<{ storyId: string }>();
      check(articleView, a, `GET /articles/${id}`);
      check(story, (await app.inject(`/stories/${a.storyId}`)).json(), `GET /stories/${a.storyId}`);
    }
  });

  it('a dead letter written by the consumer is valid', async () => {
    const c = createConsumer({
      redis: testRedisUrl(),
      prefix: pub.prefix,
      group: 'schema-check',
      consumer: 'c1',
      startId: '0',
      maxDeliveries: 1,
      blockMs: 100,
      onError: () => undefined,
      handler: () => {
        throw Object.assign(new Error('refused'), { code: 'E_REFUSED' });
      },
    });
    await c.start();
    const total = await pub.rt.redis.xlen(pub.rt.keys.stream);
    for (let i = 0; i < 200 && (await pub.rt.redis.xlen(pub.rt.keys.deadLetters)) < total; i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    await c.stop();
    const letters = await pub.rt.redis.xrange(pub.rt.keys.deadLetters, '-', '+');
    expect(letters).toHaveLength(total);
    const v = validator(ajv, 'dead-letter.json');
    for (const [id, flat] of letters) {
      const rec = fieldsToRecord(flat);
      check(v, rec, `dead letter ${id}`);
      expect(rec.reason).toBe('E_REFUSED');
      check(validator(ajv, 'stream-event.json'), JSON.parse(rec.fields!), `dead letter ${id} fields`);
    }
  });
});
