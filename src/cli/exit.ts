import { CommanderError } from 'commander';
import { ResourceBudgetError, SetupError } from '../shared/errors.js';

/** Exit statuses, the same for every command (README "Commands", `newsflow --help`). */
export const EXIT = { done: 0, inputFailed: 1, usage: 2, budget: 3 } as const;

export const EXIT_HELP = `
Exit status (every command):
  0  done
  1  an input failed (a feed, page, file or id); its output line or one line on stderr says why
  2  usage or setup: a bad option or config, Redis not reachable — one line on stderr names it
  3  a resource budget was reached (e.g. Redis memory)`;

/** The exit status for an error that ended a command. */
export function exitStatusFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander's own errors (unknown option, missing argument, a group without its subcommand) are usage
    // errors; its help and version exits are 0. Our commands throw CommanderError with their own status.
    return err.code.startsWith('commander.') && err.exitCode !== 0 ? EXIT.usage : err.exitCode;
  }
  if (err instanceof SetupError) return EXIT.usage;
  if (err instanceof ResourceBudgetError) return EXIT.budget;
  return EXIT.inputFailed;
}
