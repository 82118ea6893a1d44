/**
 * `weft`: the command line of Weft's API (docs/cli.md). It talks to the API only, never to the
 * database or Temporal, so it needs nothing but a URL and a token.
 */
import { Command, CommanderError } from 'commander';
import { registerApprovalCommands } from './commands/approvals';
import { registerConfigCommands } from './commands/site-config';
import { registerDefinitionCommands } from './commands/definitions';
import { registerExecutionCommands } from './commands/executions';
import { registerRolloutCommands } from './commands/rollouts';
import { registerSessionCommands } from './commands/session';
import { registerWhatIfCommands } from './commands/what-if';
import { lastExitCode } from './context';
import { EXIT } from './exit-codes';
import { printError } from './output';

/** The program with every command; `exitOverride` (inherited by subcommands) so usage errors come back as exit code 2. */
export function buildProgram(): Command {
  const program = new Command('weft')
    .description('Weft from the command line: validate, deploy and run workflows, decide approvals, roll out and configure sites')
    .option('--json', 'print results as JSON (errors as JSON on stderr)')
    .showHelpAfterError('(run `weft help <command>` for its options)')
    .exitOverride();
  registerSessionCommands(program);
  registerDefinitionCommands(program);
  registerExecutionCommands(program);
  registerApprovalCommands(program);
  registerRolloutCommands(program);
  registerConfigCommands(program);
  registerWhatIfCommands(program);
  return program;
}

/** Runs the CLI on `argv` and answers its exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return lastExitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.OK : EXIT.BAD_INPUT;
    }
    return printError(err, process.argv.includes('--json'));
  }
}

void runCli(process.argv).then((code) => {
  process.exitCode = code;
});
