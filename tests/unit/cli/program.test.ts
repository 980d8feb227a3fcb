import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../../src/cli/context.js';
import { EXIT, exitStatusFor } from '../../../src/cli/exit.js';
import { buildProgram } from '../../../src/cli/program.js';
import { ResourceBudgetError } from '../../../src/shared/errors.js';

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

describe('CLI program', () => {
  it("lists --config (and --version) in every command's --help", async () => {
    const commands = allCommands(await buildProgram());
    expect(commands.length).toBeGreaterThan(15);
    for (const cmd of commands) {
      const help = cmd.helpInformation();
      expect({ cmd: cmd.name(), config: help.includes('--config <dir>') }).toEqual({
        cmd: cmd.name(),
        config: true,
      });
    }
  });

  it('loads only the command the command line names, and every command otherwise', async () => {
    const names = async (...args: string[]): Promise<string[]> =>
      (await buildProgram(['node', 'newsflow', ...args])).commands.map(c => c.name());
    expect(await names('extract', 'a.html')).toEqual(['extract']);
    expect(await names('--config', 'extract', 'stories', 'get', 'x')).toEqual(['stories']);
    const all = await names();
    expect(all).toContain('extract');
    expect(all.length).toBeGreaterThan(10);
    expect(await names('--help')).toEqual(all);
    expect(await names('no-such-command')).toEqual(all);
  });

  it('maps every way a command ends to 0 / 1 / 2 / 3', () => {
    expect(exitStatusFor(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(EXIT.usage);
    expect(exitStatusFor(new CommanderError(1, 'commander.help', '(outputHelp)'))).toBe(EXIT.usage);
    expect(exitStatusFor(new CommanderError(0, 'commander.helpDisplayed', 'x'))).toBe(EXIT.done);
    expect(exitStatusFor(new CommanderError(0, 'commander.version', 'x'))).toBe(EXIT.done);
    expect(exitStatusFor(new CommanderError(1, 'newsflow.notFound', 'x'))).toBe(EXIT.inputFailed);
    expect(exitStatusFor(new CommanderError(2, 'newsflow.extract', 'x'))).toBe(EXIT.usage);
    expect(exitStatusFor(new SetupError('cannot reach Redis'))).toBe(EXIT.usage);
    expect(exitStatusFor(new ResourceBudgetError('Redis memory'))).toBe(EXIT.budget);
    expect(exitStatusFor(new Error('a bug'))).toBe(EXIT.inputFailed);
  });
});
