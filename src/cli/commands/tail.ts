import { hostname } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { createRedis, type RedisTarget } from '../../store/redis.js';
import { createConsumer } from '../../consumer/consumer.js';
import { decodeEvent, fieldsToRecord, InvalidEventError, type StreamEvent } from '../../consumer/events.js';
import { openReadContext, usage, writeOut } from './read-context.js';

interface TailOptions {
  group?: string;
  consumer?: string;
  from?: string;
  json?: boolean;
  count?: number;
}

/** One event per line: `<id>  <type>  story <storyId>  article <articleId>  <url>`, or JSON with `--json`. */
export function formatEvent(id: string, e: StreamEvent, json: boolean): string {
  return json
    ? JSON.stringify({ id, ...e })
    : `${id}  ${e.type.padEnd(18)}  story ${e.storyId}  article ${e.articleId}  ${e.url}`;
}

function parseCount(v: string): number {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return Number(v);
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description(
      'Print stream events as they arrive. Without --group it only reads (XREAD); with --group it reads as a ' +
        'member of that consumer group and acknowledges each printed event (at-least-once)',
    )
    .option('--group <group>', 'read as this consumer group (created at --from if new) and acknowledge')
    .option('--consumer <name>', 'consumer name inside the group (default tail-<hostname>)')
    .option(
      '--from <id>',
      'start: "$" = only new events (default), "0" = from the oldest kept, or a stream id',
    )
    .option('--json', 'one JSON object per line')
    .option('--count <n>', 'exit after n events', parseCount)
    .action(async (opts: TailOptions, cmd: Command) => {
      const from = opts.from ?? '$';
      if (from !== '$' && !/^\d+(-\d+)?$/.test(from)) {
        usage('tail.from', `--from must be $, 0 or a stream id, got "${from}"`);
      }
      const ctx = await openReadContext(cmd);
      const json = opts.json === true;
      let printed = 0;
      let stop!: () => void;
      const stopped = new Promise<void>(r => (stop = r));
      const onSignal = (): void => stop();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const print = async (id: string, e: StreamEvent): Promise<void> => {
        await writeOut(process.stdout, `${formatEvent(id, e, json)}\n`);
        printed++;
        if (opts.count && printed >= opts.count) stop();
      };
      try {
        if (opts.group) {
          const c = ctx.config.service.consumer;
          const consumer = createConsumer({
            redis: ctx.redisTarget,
            prefix: ctx.keys.prefix,
            group: opts.group,
            consumer: opts.consumer ?? `tail-${hostname()}`,
            startId: from,
            blockMs: c.block,
            count: opts.count ? Math.min(opts.count, c.count) : c.count,
            claimMinIdleMs: c.claimMinIdle,
            maxDeliveries: c.maxDeliveries,
            deadLetterMaxLen: ctx.config.service.stream.deadLetterMaxLen,
            handler: async m => {
              await print(m.streamId, m.event);
              // Stop before the next read: entries past --count stay unread for the group's other consumers.
              if (opts.count && printed >= opts.count) void consumer.stop({ timeoutMs: 5_000 });
            },
            onError: (err, info) => {
              if (info.phase !== 'handler') ctx.log.warn({ err: err.message, ...info }, 'consumer');
            },
          });
          await consumer.start();
          await Promise.race([stopped, consumer.finished]);
          await consumer.stop({ timeoutMs: 5_000 });
        } else {
          await readPlain(ctx.redisTarget, ctx.keys.stream, from, print, stopped);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await ctx.close();
      }
    });
}

/** XREAD BLOCK from `from`, following the stream; no group state is touched. */
async function readPlain(
  target: RedisTarget,
  stream: string,
  from: string,
  print: (id: string, e: StreamEvent) => Promise<void>,
  stopped: Promise<void>,
): Promise<void> {
  const conn = createRedis(target, 'worker');
  let done = false;
  void stopped.then(() => {
    done = true;
    conn.disconnect();
  });
  let last = from;
  try {
    while (!done) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await conn.call(
          'XREAD',
          'COUNT',
          100,
          'BLOCK',
          5_000,
          'STREAMS',
          stream,
          last,
        )) as typeof reply;
      } catch (err) {
        if (done) break;
        throw err;
      }
      for (const [id, flat] of reply?.[0]?.[1] ?? []) {
        last = id;
        if (done) break;
        try {
          await print(id, decodeEvent(fieldsToRecord(flat)));
        } catch (err) {
          if (!(err instanceof InvalidEventError)) throw err;
          process.stderr.write(`newsflow tail: skipping ${id}: ${err.message}\n`);
        }
      }
    }
  } finally {
    conn.disconnect();
  }
}
