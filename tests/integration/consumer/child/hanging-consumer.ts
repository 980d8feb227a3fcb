import { createConsumer } from '../../../../src/index.js';

/**
 * A consumer that reads entries and never acknowledges them: its handler announces each delivery on stdout and
 * then hangs, so the parent test can SIGKILL it between XREADGROUP and XACK.
 */
export async function main(args: string[]): Promise<void> {
  const [redisUrl, prefix, group, name] = args;
  if (!redisUrl || !prefix || !group || !name) throw new Error('args: redisUrl prefix group name');
  const consumer = createConsumer({
    redis: redisUrl,
    prefix,
    group,
    consumer: name,
    startId: '0',
    blockMs: 500,
    claimMinIdleMs: 600_000,
    handler: msg => {
      process.stdout.write(`${JSON.stringify({ got: msg.streamId, deliveryCount: msg.deliveryCount })}\n`);
      return new Promise(() => undefined);
    },
  });
  await consumer.start();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}
