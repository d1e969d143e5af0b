import { Command, CommanderError } from 'commander';
import { InputError } from '../domain/errors';
import { registerAuditCommand } from './commands/audit';
import { registerCampaignCommands } from './commands/campaign';
import { registerDemoCommand } from './commands/demo';
import { registerFailuresCommand } from './commands/failures';
import { registerReplayCommand } from './commands/replay';
import { registerServeCommand } from './commands/serve';
import { registerSnapshotCommands } from './commands/snapshot';
import { registerStackCommands } from './commands/stack';
import { registerUserCommands } from './commands/user';
import { registerWorkerCommand } from './commands/worker';

/** Exit codes: 0 success, 1 a failed operation, 2 bad input (docs/design.md §6). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** The `restorectl` command tree; parsing errors are left to the caller (see main). */
export function buildProgram(): Command {
  const program = new Command('restorectl')
    .description('validate a recovered snapshot and restore it into the live store through durable Temporal workflows')
    // Read at run time from the package beside dist/: an import would copy it into the build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .version(require('../../package.json').version);
  registerStackCommands(program);
  registerWorkerCommand(program);
  registerDemoCommand(program);
  registerSnapshotCommands(program);
  registerCampaignCommands(program);
  registerUserCommands(program);
  registerFailuresCommand(program);
  registerReplayCommand(program);
  registerAuditCommand(program);
  registerServeCommand(program);
  return program;
}

/** Turns any error into one line on stderr and the exit code its kind calls for. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
    return EXIT.badInput; // commander has already printed the one-line usage error
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`restorectl: ${message}\n`);
  return err instanceof InputError ? EXIT.badInput : EXIT.failed;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.commands.forEach(function override(c: Command) {
    c.exitOverride();
    c.commands.forEach(override);
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

if (require.main === module || require.main?.filename.endsWith('bin/restorectl')) {
  void main(process.argv);
}
