#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ResourceBudgetError, SetupError } from '../shared/errors.js';
import { tuneV8 } from '../shared/v8-tuning.js';
import { EXIT, exitStatusFor } from './exit.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  tuneV8();
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return EXIT.done;
  } catch (err) {
    const status = exitStatusFor(err);
    // CommanderError: commander or the command already printed its one line.
    if (!(err instanceof CommanderError)) {
      // Setup and budget errors are one line for the user; anything else is a bug: its stack helps the report.
      const known = err instanceof SetupError || err instanceof ResourceBudgetError;
      const text = known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`newsflow: ${text}\n`);
    }
    return status;
  }
}

/**
 * Resolves once everything written to `stream` so far has reached the OS. A pipe is asynchronous in Node: what
 * the reader has not taken yet waits in this process, and `process.exit` would drop it (output cut at 64 KiB).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise(done => {
    if (stream.destroyed || !stream.writable) return done();
    stream.write('', () => done());
  });
}

// A reader that goes away (`newsflow export | head -1`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.done);
    throw err;
  });
}

const code = await main(process.argv);
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit explicitly: a half-closed socket (a Redis reconnect timer, a keep-alive agent) must not keep a finished CLI alive.
process.exit(code);
