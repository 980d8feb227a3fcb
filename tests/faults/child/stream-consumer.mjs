// A consumer process for the consumer-crash scenario (tests/faults/consumer-crash.test.ts), on the built package
// entry (dist/src/index.js, as `import { createConsumer } from 'newsflow'`): plain JavaScript, so it starts in
// a fraction of a second and can be SIGKILLed and restarted many times in one run.
//
// node stream-consumer.mjs <redisUrl> <prefix> <group> <name> <handledFile> <maxDeliveries>
//
// stdout: one JSON line when ready, and one when the handler starts on an entry ({begin, n}) — the parent kills
// on those, so the kill lands between XREADGROUP and XACK. <handledFile>: one JSON line per handler that
// finished (appended synchronously, so a line is on disk before the ack). The handler loads each event's
// article; an event whose article does not exist is poison: it throws (code E_NO_ARTICLE) on every delivery.
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConsumer } from '../../../dist/src/index.js';

const [redisUrl, prefix, group, name, handledFile, maxDeliveries] = process.argv.slice(2);
if (!redisUrl || !prefix || !group || !name || !handledFile || !maxDeliveries) {
  throw new Error('args: redisUrl prefix group name handledFile maxDeliveries');
}
const say = obj => process.stdout.write(`${JSON.stringify(obj)}\n`);

const consumer = createConsumer({
  redis: redisUrl,
  prefix,
  group,
  consumer: name,
  startId: '0',
  // One entry per read: a kill leaves exactly the entry in hand pending, never a batch behind it.
  count: 1,
  blockMs: 500,
  claimMinIdleMs: 1_500,
  claimIntervalMs: 250,
  maxDeliveries: Number(maxDeliveries),
  onError: (err, info) =>
    process.stderr.write(
      `${name} ${info.phase} ${info.streamId ?? ''} ${info.deliveryCount ?? ''}: ${err.message}\n`,
    ),
  async handler(msg) {
    say({ begin: msg.streamId, n: msg.deliveryCount });
    const article = await msg.article();
    if (!article) {
      throw Object.assign(new Error(`no article ${msg.event.articleId}`), { code: 'E_NO_ARTICLE' });
    }
    // Some work: the parent's SIGKILL, sent when it reads the begin line, arrives while the handler is still busy
    // with this entry (never after it moved on to the next one).
    await sleep(100);
    appendFileSync(
      handledFile,
      `${JSON.stringify({ id: msg.streamId, articleId: msg.event.articleId, n: msg.deliveryCount, c: name })}\n`,
    );
  },
});
await consumer.start();
say({ ready: name });
process.once('SIGTERM', () => {
  void consumer.stop({ timeoutMs: 5_000 }).then(() => process.exit(0));
});
