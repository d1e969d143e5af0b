import { Command, CommanderError } from 'commander';
import { InputError } from '../domain/errors';

/** Exit codes: 0 success, 1 a failed operation, 2 bad input (docs/design.md §6). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/**
 * Each top-level command and the module that declares it, in the order help lists them.
 * Loaded only when needed: each module brings its libraries (the Temporal client and worker,
 * the driver, fastify), and all of them together cost a command about 85 MiB and a quarter
 * of a second before it does anything.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  stack: async () => (await import('./commands/stack')).registerStackCommands,
  worker: async () => (await import('./commands/worker')).registerWorkerCommand,
  demo: async () => (await import('./commands/demo')).registerDemoCommand,
  snapshot: async () => (await import('./commands/snapshot')).registerSnapshotCommands,
  campaign: async () => (await import('./commands/campaign')).registerCampaignCommands,
  user: async () => (await import('./commands/user')).registerUserCommands,
  failures: async () => (await import('./commands/failures')).registerFailuresCommand,
  replay: async () => (await import('./commands/replay')).registerReplayCommand,
  audit: async () => (await import('./commands/audit')).registerAuditCommand,
  serve: async () => (await import('./commands/serve')).registerServeCommand,
};

/**
 * The `restorectl` command tree; parsing errors are left to the caller (see main). With
 * `only`, a top-level command's name, just that command is declared (what a run of it
 * needs); otherwise every command, for help and for a name that is none of them.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('restorectl')
    .description('validate a recovered snapshot and restore it into the live store through durable Temporal workflows')
    // Read at run time from the package beside dist/: an import would copy it into the build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .version(require('../../package.json').version);
  const names = only !== undefined && Object.hasOwn(COMMANDS, only) ? [only] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]())(program);
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
  // argv: node, the script, then the command's name (options before it are only --help and --version).
  const program = await buildProgram(argv[2]);
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
