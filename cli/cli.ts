import { Command, CommanderError } from 'commander';
import { InputError } from '../domain/errors';
import { packageVersion } from '../stack/layout';
import { addExamples } from './examples';

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
  undo: async () => (await import('./commands/undo')).registerUndoCommand,
  audit: async () => (await import('./commands/audit')).registerAuditCommand,
  events: async () => (await import('./commands/events')).registerEventsCommand,
  serve: async () => (await import('./commands/serve')).registerServeCommand,
  version: async () => (await import('./commands/version')).registerVersionCommand,
  completion: async () => (await import('./commands/completion')).registerCompletionCommand,
};

/**
 * The `restorectl` command tree; parsing errors are left to the caller (see main). With
 * `only`, a top-level command's name, just that command is declared (what a run of it
 * needs); otherwise every command, for help and for a name that is none of them.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('restorectl')
    .description('validate a recovered snapshot and restore it into the live store through durable Temporal workflows')
    .version(packageVersion());
  const names = only !== undefined && Object.hasOwn(COMMANDS, only) ? [only] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]())(program);
  addExamples(program);
  return program;
}

/** Whether the command line asks for JSON: then an error, too, is one JSON object on stderr. */
function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

/**
 * Writes an error as every error of the CLI is written: one line, `restorectl: …`, or under
 * `--json` one JSON object `{"error", "class", "exitCode"}` that a script can parse.
 */
function writeError(message: string, errorClass: string, exitCode: number, json: boolean): void {
  process.stderr.write(json ? `${JSON.stringify({ error: message, class: errorClass, exitCode })}\n` : `restorectl: ${message}\n`);
}

/** Turns an error into the exit code its kind calls for, writing it (commander has written its own usage errors). */
function exitCodeFor(err: unknown, json: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
    return EXIT.badInput;
  }
  const code = err instanceof InputError ? EXIT.badInput : EXIT.failed;
  writeError(err instanceof Error ? err.message : String(err), err instanceof Error ? err.name : 'Error', code, json);
  return code;
}

async function main(argv: string[]): Promise<void> {
  const json = wantsJson(argv);
  // argv: node, the script, then the command's name (options before it are only --help and --version).
  const program = await buildProgram(argv[2]);
  // A usage error (an unknown option, a bad value) is written as any other error is.
  const usageErrors = { outputError: (text: string) => writeError(text.replace(/^error: /, '').trim(), 'UsageError', EXIT.badInput, json) };
  (function override(c: Command) {
    c.exitOverride();
    c.configureOutput(usageErrors);
    c.commands.forEach(override);
  })(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err, json);
  }
}

if (require.main === module || require.main?.filename.endsWith('bin/restorectl')) {
  void main(process.argv);
}
