import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { loadEnv } from '../../config/env';
import { CATEGORIES, type Category, CONFLICT_POLICIES, inWaveOrder, isCategory } from '../../domain/categories';
import { InputError } from '../../domain/errors';
import { campaignReport, type CampaignReport } from '../../store/campaign-report';
import { listCampaigns } from '../../store/campaign-list';
import { campaignProgress, checkSnapshot, startCampaign, waitForCampaign } from '../campaigns';
import { withControl, withStores } from '../control';
import { liveIndexing } from '../../store/live-indexes';
import { printResult, table } from '../output';
import { boundedIntArg, campaignIdArg, parseWith } from '../parse';
import { progressBar } from '../progress';
import { renderCampaign, renderProgress } from '../render';
import { connectTemporal } from '../temporal';

export const categoriesArg = parseWith(
  z
    .string()
    .transform((s) => s.split(',').map((c) => c.trim()))
    .refine((list) => list.length > 0 && list.every(isCategory))
    .transform((list) => list as Category[]),
  `must be a comma-separated list of ${CATEGORIES.join(', ')}`,
);


/**
 * Users per batch at most: a batch's users travel in its workflow input, and at ~100 bytes
 * each, 1,000 stay far below Temporal's 2 MB payload limit.
 */
const MAX_BATCH_SIZE = 1000;
/** Batch workflows at once at most: each holds store connections; more than this only queues. */
const MAX_CONCURRENCY = 64;

/** Exit code of a finished campaign: partial users are not failures (DESIGN.md §6). */
function exitCodeOf(report: CampaignReport): number {
  return Object.values(report.categories).some((c) => c.users.failed > 0) || report.state !== 'completed' ? 1 : 0;
}

/** `campaign start|status|list`. Needs Temporal and the store of the environment. */
export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('start and watch restore campaigns');

  campaign
    .command('start')
    .description('start a campaign restoring a snapshot, category by category in priority order')
    .requiredOption('--snapshot <dir>', 'the recovered snapshot (restore-snapshot/v1 directory)')
    .option('--categories <list>', `comma-separated categories (default all: ${CATEGORIES.join(',')})`, categoriesArg)
    .addOption(new Option('--policy <p>', 'conflict policy against live documents').choices(CONFLICT_POLICIES).default('keep-newer'))
    .option('--no-dedupe', 'insert recovered contacts even when the user re-entered them')
    .option('--batch-size <n>', `users per batch workflow, 1–${MAX_BATCH_SIZE}`, boundedIntArg(1, MAX_BATCH_SIZE), 100)
    .option('--concurrency <n>', `batch workflows at once, 1–${MAX_CONCURRENCY}`, boundedIntArg(1, MAX_CONCURRENCY), 4)
    .option('--allow-unindexed', 'start even where a live collection has no index led by userId (every user then costs a collection scan)')
    .option('--wait', 'wait for the campaign to finish and print its report')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const env = loadEnv();
      const categories = inWaveOrder(opts.categories ?? [...CATEGORIES]);
      await checkSnapshot(resolve(opts.snapshot), categories);
      const indexing = await withStores(env, (stores) => liveIndexing(stores.target, categories));
      const unindexed = categories.filter((c) => !indexing[c].userLed);
      if (unindexed.length && !opts.allowUnindexed) {
        throw new InputError(
          `no index led by userId on ${unindexed.join(', ')} in ${env.RESTORE_TARGET_DB}: every user would cost a scan of the collection; create {userId: 1, recordId: 1} (unique), or pass --allow-unindexed`,
        );
      }
      const notUnique = categories.filter((c) => !indexing[c].uniqueRecordKey);
      if (notUnique.length) {
        // On stderr even with --json: it is about the safety of the run, and stdout stays one JSON document.
        process.stderr.write(
          `warning: no unique index on (userId, recordId) in ${notUnique.join(', ')} of ${env.RESTORE_TARGET_DB}: a record the application creates while the restore inserts the same recordId can be stored twice (see README, "The insert race")\n`,
        );
      }
      const client = await connectTemporal(env);
      try {
        const campaignId = await startCampaign(client, env, {
          snapshotDir: opts.snapshot,
          categories: opts.categories,
          policy: opts.policy,
          dedupe: opts.dedupe,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
        });
        if (!opts.wait) {
          printResult(opts, { campaignId }, () => `campaign ${campaignId} started; watch it with: restorectl campaign status ${campaignId}`);
          return;
        }
        if (!opts.json) process.stderr.write(`campaign ${campaignId} started\n`);
        const bar = progressBar(opts, 'user-categories', 1);
        const report = await waitForCampaign(client, campaignId, (p) => bar.update(p.outcome.restored + p.outcome.partial + p.outcome.failed, Math.max(1, p.users * p.waves)));
        bar.stop();
        printResult(opts, report, renderCampaign);
        process.exitCode = exitCodeOf(report);
      } finally {
        await client.connection.close();
      }
    });

  campaign
    .command('status')
    .description("a campaign's state and counts")
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts) => {
      const env = loadEnv();
      const report = await withControl(env, (c) => campaignReport(c, id));
      const client = await connectTemporal(env);
      const progress = await campaignProgress(client, id).finally(() => client.connection.close());
      if (!report && !progress) throw new InputError(`no campaign ${id}`);
      printResult(opts, { ...(report ?? { campaignId: id, state: 'opening' }), progress }, () =>
        [report ? renderCampaign(report) : `campaign ${id}: opening`, ...(progress ? [renderProgress(progress)] : [])].join('\n'),
      );
    });

  campaign
    .command('list')
    .description('campaigns, newest first')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const rows = await withControl(loadEnv(), (c) => listCampaigns(c));
      printResult(opts, rows, (list) =>
        list.length === 0
          ? 'no campaigns yet'
          : table([['CAMPAIGN', 'STATE', 'USERS', 'CATEGORIES', 'STARTED'], ...list.map((r) => [r.campaignId, r.state, r.users, r.categories.join(','), r.createdAt.toISOString()])]),
      );
    });
}
