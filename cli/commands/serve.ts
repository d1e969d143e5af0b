import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { logger } from '../../config/logger';
import { InputError } from '../../domain/errors';
import { withOperations } from '../../operations/connect';
import { buildServer } from '../../server/app';
import { SnapshotRoots } from '../../server/snapshot-roots';
import { TokenBook } from '../../server/tokens';
import { portArg } from '../parse';

const LOOPBACK = '127.0.0.1';

/** `serve`: the HTTP API and the support and campaign pages, until SIGINT or SIGTERM. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('the HTTP API and the support and campaign pages; needs API tokens (RESTORE_API_TOKENS or RESTORE_API_TOKENS_FILE) unless --insecure-local')
    .option('--port <n>', 'port to listen on', portArg, 8080)
    .option('--host <address>', `address to listen on (${LOOPBACK} unless told; 0.0.0.0 for every interface)`, LOOPBACK)
    .option(
      '--snapshot-root <dir>',
      'a folder whose snapshots callers may name (repeat for more; else RESTORE_SNAPSHOT_ROOTS, : between folders)',
      (v: string, list: string[] = []) => [...list, v],
    )
    .option('--insecure-local', `without tokens, every caller is the local operator: listens on ${LOOPBACK} only`)
    .action(async (opts: { port: number; host: string; snapshotRoot?: string[]; insecureLocal?: boolean }) => {
      const env = loadEnv();
      const tokens = await TokenBook.fromEnv(env);
      const snapshotRoots = await SnapshotRoots.of(opts.snapshotRoot, env.RESTORE_SNAPSHOT_ROOTS);
      if (tokens.size === 0 && !opts.insecureLocal) {
        throw new InputError('serve needs API tokens: set RESTORE_API_TOKENS (token:role[:name],…) or RESTORE_API_TOKENS_FILE, or pass --insecure-local to serve 127.0.0.1 alone');
      }
      const host = opts.insecureLocal ? LOOPBACK : opts.host;
      const { version } = require('../../../package.json') as { version: string }; // eslint-disable-line @typescript-eslint/no-require-imports
      await withOperations(env, async (deps) => {
        const app = await buildServer({ deps, tokens: tokens.size > 0 ? tokens : null, logger: logger().child({ component: 'api' }), version, snapshotRoots });
        await app.listen({ port: opts.port, host });
        process.stderr.write(`serving on http://${host}:${opts.port}: support page /support, campaign page /campaigns, API /api (OpenAPI at /api/openapi.json)\n`);
        await new Promise<void>((resolve) => {
          const stop = () => void app.close().then(() => resolve());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}
