import { type Command, Option } from 'commander';
import { defaultDataDir } from '../../stack/layout';
import { stackDown, stackEnv, stackStatus, stackUp, STORE_BACKENDS, type StackOptions } from '../../stack/stack';
import { printResult, sayer, table } from '../output';
import { portArg } from '../parse';

/** The store backend FerretDB runs on by default; README.md shows the measurement behind it. */
export const DEFAULT_BACKEND = 'postgresql';

/** The stack options commander parsed (see withStackOptions). */
export function stackOptionsFrom(opts: Record<string, unknown>): StackOptions {
  return {
    dataDir: opts.dataDir as string,
    temporalPort: opts.temporalPort as number,
    temporalUiPort: opts.temporalUiPort as number,
    mongoPort: opts.mongoPort as number,
    postgresPort: opts.postgresPort as number,
    backend: opts.backend as StackOptions['backend'],
  };
}

const dataDirOption = () => new Option('--data-dir <dir>', 'data folder of the stack (env RESTORE_STACK_DIR)').default(defaultDataDir());

/** Adds the options that place a local stack: data folder, ports, backend. */
export function withStackOptions(command: Command): Command {
  return command
    .addOption(dataDirOption())
    .option('--temporal-port <n>', 'Temporal frontend port', portArg, 7233)
    .option('--temporal-ui-port <n>', 'Temporal web UI port', portArg, 8233)
    .option('--mongo-port <n>', 'MongoDB-wire (FerretDB) port', portArg, 27017)
    .option('--postgres-port <n>', 'PostgreSQL port (postgresql backend)', portArg, 54329)
    .addOption(new Option('--backend <name>', 'FerretDB storage backend').choices(STORE_BACKENDS).default(DEFAULT_BACKEND));
}

function renderEnv(options: StackOptions): string {
  return Object.entries(stackEnv(options))
    .map(([k, v]) => `export ${k}=${v}`)
    .join('\n');
}

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('the embedded local stack: Temporal dev server and FerretDB');

  withStackOptions(stack.command('up'))
    .description('start the local stack (installs the Temporal CLI and builds FerretDB on first use) and print its environment')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const options = await stackUp(stackOptionsFrom(opts), sayer(opts));
      printResult(opts, { ...stackEnv(options), dataDir: options.dataDir, backend: options.backend }, () => renderEnv(options));
    });

  stack
    .command('down')
    .description('stop what `stack up` started in the data folder; data stays')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      await stackDown(opts.dataDir, sayer(opts));
      printResult(opts, { stopped: true, dataDir: opts.dataDir }, () => `stack in ${opts.dataDir} is down`);
    });

  stack
    .command('status')
    .description('what runs where, and whether it answers')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const status = await stackStatus(opts.dataDir);
      printResult(opts, { ...status, env: status.options ? stackEnv(status.options) : null }, ({ options, services, indexesServed }) =>
        options === null
          ? `no stack was started in ${opts.dataDir}`
          : [
              table([
                ['SERVICE', 'PID', 'PORT', 'STATE'],
                ...services.map((s) => [s.service, s.pid ?? '-', s.port, s.running ? (s.answers ? 'up, answers' : 'up, not answering') : 'stopped']),
              ]),
              ...(indexesServed === null
                ? []
                : [indexesServed ? 'indexes: served (GIN jsonb_path_ops beside each FerretDB index)' : 'indexes: NOT served, every lookup scans: run `restorectl stack up`']),
              '',
              renderEnv(options),
            ].join('\n'),
      );
      // Scripts tell a stack that serves from one that does not, or is not there, by the exit code.
      if (status.options === null || status.services.length === 0 || status.services.some((s) => !s.answers)) process.exitCode = 1;
    });
}
