import { InputError } from '../../domain/errors';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { loadEnv } from '../../config/env';
import { checkNotifyUrl } from '../../client/delivery';
import { CATEGORIES, type Category, CONFLICT_POLICIES, inWaveOrder, isCategory } from '../../domain/categories';
import type { CampaignReport } from '../../store/control/campaign-report';
import { operatorCommands } from '../../operations/commands';
import { localActor, withOperations } from '../../operations/connect';
import { campaignStatus, listCampaigns } from '../../operations/queries';
import { MAX_PAGES_PER_BATCH } from '../../domain/batch-pages';
import { campaignProgress, checkSnapshot, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, finalReport, MAX_BATCH_SIZE, waitForCampaign } from '../../client/campaigns';
import { withControl } from '../../client/control';
import { printResult, table } from '../output';
import { boundedIntArg, campaignIdArg, parseWith, rateArg } from '../parse';
import { MAX_CONCURRENCY, MAX_RECORDS_PER_SECOND, paceChangeProblem, recordsPerSecondSchema } from '../../workflows/pace';
import { confirmed } from '../confirm';
import { campaignWatch } from '../progress';
import { readUsersFile } from '../users-file';
import { renderCampaign, renderFinalReport, renderPace, renderProgress } from '../render';
import type { PaceChange } from '../../workflows';

export const categoriesArg = parseWith(
  z
    .string()
    .transform((s) => s.split(',').map((c) => c.trim()))
    .refine((list) => list.length > 0 && list.every(isCategory))
    .transform((list) => list as Category[]),
  `must be a comma-separated list of ${CATEGORIES.join(', ')}`,
);

const recordsPerSecondArg = parseWith(z.coerce.number().pipe(recordsPerSecondSchema), `must be a number above 0 and at most ${MAX_RECORDS_PER_SECOND.toLocaleString('en-US')}`);
/** Any number: a change of pace is judged by the campaign's own validator, which says why it refuses one. */
const numberArg = parseWith(z.coerce.number().finite(), 'must be a number');

/** Exit code of a finished campaign: partial users are not failures (docs/design.md §6). */
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
    .option(
      '--batch-size <n>',
      `users per batch workflow in every wave, 1–${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE}, and up to ${MAX_PAGES_PER_BATCH}× that in a wave of few records a user)`,
      boundedIntArg(1, MAX_BATCH_SIZE),
    )
    .option('--concurrency <n>', `batch workflows at once, 1–${MAX_CONCURRENCY}`, boundedIntArg(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY)
    .option('--max-records-per-second <r>', 'a ceiling on records restored per second (change it later with campaign set)', recordsPerSecondArg)
    .option('--users <file>', 'restore only the users listed in FILE, one id per line (ids not in the snapshot are reported)')
    .option('--canary <n>', 'restore the first wave for N users, then pause until resumed', boundedIntArg(1, 100_000_000))
    .option('--max-quarantine-rate <r>', 'pause before a wave whose quarantined share of its records is above R (0–1)', rateArg)
    .option(
      '--notify-url <url>',
      'POST each event of the outbox (a user-category or a user restored) to URL, signed with RESTORE_WEBHOOK_SECRET; retried for hours, never holding the restore back',
    )
    .option('--allow-unindexed', 'start even where a live collection has no index led by userId (every user then costs a collection scan)')
    .option('--dry-run', 'plan only: stage, validate and read the live store as a real run would, write nothing to it, and print what it would do (implies --wait)')
    .option('--wait', 'wait for the campaign to finish and print its report')
    .option('--no-worker-check', 'do not ask whether a worker polls the task queue (by default a warning says when none does: the campaign would not move)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const env = loadEnv();
      // Bad input is found before any server is reached: the users file, the snapshot (which
      // the start checks again, for the API's callers too, in the audit of the attempt).
      const userIds = opts.users ? await readUsersFile(opts.users) : undefined;
      if (opts.notifyUrl) checkNotifyUrl(opts.notifyUrl, env);
      await checkSnapshot(resolve(opts.snapshot), inWaveOrder(opts.categories ?? [...CATEGORIES]));
      await withOperations(env, async (deps) => {
        const { campaignId, warnings } = await operatorCommands(deps, localActor()).start({
          snapshotDir: opts.snapshot,
          categories: opts.categories,
          policy: opts.policy,
          dedupe: opts.dedupe,
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          maxRecordsPerSecond: opts.maxRecordsPerSecond,
          canary: opts.canary,
          maxQuarantineRate: opts.maxQuarantineRate,
          userIds,
          dryRun: opts.dryRun,
          notifyUrl: opts.notifyUrl,
          allowUnindexed: opts.allowUnindexed,
          skipWorkerCheck: opts.workerCheck === false,
        });
        // On stderr even with --json: it is about the safety of the run, and stdout stays one JSON document.
        for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
        if (!opts.wait && !opts.dryRun) {
          printResult(opts, { campaignId }, () => `campaign ${campaignId} started; watch it with: restorectl campaign status ${campaignId}`);
          return;
        }
        if (!opts.json) process.stderr.write(`campaign ${campaignId} started\n`);
        // With --json, stdout holds the report alone.
        const watch = opts.json ? undefined : campaignWatch(opts);
        const report = await finalReport(env, await waitForCampaign(deps.client, campaignId, watch?.update));
        watch?.stop();
        printResult(opts, report, renderFinalReport);
        process.exitCode = exitCodeOf(report);
      });
    });

  campaign
    .command('status')
    .description("a campaign's state and counts, and per wave its progress, rate and ETA while it runs")
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--watch', 'follow it until it ends (bars on a terminal, lines otherwise, progress documents with --json), then print the report')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts) => {
      await withOperations(loadEnv(), async ({ client, c }) => {
        if (opts.watch) {
          const watch = campaignWatch(opts);
          for (let p = await campaignProgress(client, id); p; p = await campaignProgress(client, id)) {
            watch.update(p);
            await new Promise((r) => setTimeout(r, 1000));
          }
          watch.stop();
        }
        const status = await campaignStatus(client, c, id);
        printResult(opts, status, (s) => ['snapshotId' in s ? renderCampaign(s) : `campaign ${id}: opening`, ...(s.progress ? [renderProgress(s.progress)] : [])].join('\n'));
      });
    });

  /**
   * A command that acts on one running campaign through Temporal, audited, and says what it
   * did. With `ask`, a question to confirm first (on a terminal; `--yes` elsewhere).
   */
  const onRunning = (name: 'pause' | 'resume' | 'cancel', description: string, said: (id: string) => string, ask?: (id: string) => string) => {
    const command = campaign.command(name).description(description).argument('<id>', 'campaign id', campaignIdArg);
    if (ask) command.option('--yes', 'do not ask for confirmation (needed where there is no terminal to ask on)');
    command.option('--json', 'machine-readable output').action(async (id: string, opts) => {
      if (ask && !opts.yes && !(await confirmed(ask(id), '--yes'))) {
        process.stderr.write(`campaign ${id} left as it was\n`);
        return;
      }
      await withOperations(loadEnv(), (deps) => operatorCommands(deps, localActor())[name](id));
      printResult(opts, { campaignId: id, done: name }, () => said(id));
    });
  };

  onRunning(
    'pause',
    'pause a running campaign: running batches finish, no new one starts',
    (id) => `campaign ${id} paused: running batches finish, no new one starts; resume it with: restorectl campaign resume ${id}`,
  );
  onRunning('resume', 'resume a paused campaign, whoever paused it (the operator, its canary, its quarantine limit)', (id) => `campaign ${id} resumed`);
  onRunning(
    'cancel',
    'cancel a running campaign and wait for it to close: no user is left restoring, those not reached stay pending',
    (id) => `campaign ${id} cancelled: no user is left restoring, and those it did not reach stay pending (restorectl campaign status ${id})`,
    (id) => `Cancel campaign ${id}? Its running batches finish what they write; users it has not restored stay pending`,
  );

  campaign
    .command('set')
    .description("change a running campaign's pace; the campaign refuses a bad value and goes on unchanged")
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--concurrency <n>', `batch workflows at once, 1–${MAX_CONCURRENCY}`, numberArg)
    .option('--max-records-per-second <r>', 'a ceiling on records restored per second', numberArg)
    .option('--no-max-records-per-second', 'lift the ceiling')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts) => {
      // Both flags set one option, the last winning: given together, the operator meant two things.
      const flags = process.argv.filter((a) => a === '--no-max-records-per-second' || /^--max-records-per-second(=|$)/.test(a));
      if (new Set(flags.map((f) => f.startsWith('--no-'))).size > 1) throw new InputError('--max-records-per-second and --no-max-records-per-second choose differently: give one');
      const change: PaceChange = {
        ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
        ...(opts.maxRecordsPerSecond === undefined ? {} : { maxRecordsPerSecond: opts.maxRecordsPerSecond === false ? null : opts.maxRecordsPerSecond }),
      };
      if (Object.keys(change).length === 0) throw new InputError('say what to change: --concurrency N, --max-records-per-second R or --no-max-records-per-second');
      const problem = paceChangeProblem(change);
      if (problem) throw new InputError(problem);
      const pace = await withOperations(loadEnv(), (deps) => operatorCommands(deps, localActor()).setPace(id, change));
      printResult(opts, { campaignId: id, pace }, () => `campaign ${id}: ${renderPace(pace)}`);
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
          : table([
              ['CAMPAIGN', 'STATE', 'USERS', 'CATEGORIES', 'STARTED'],
              ...list.map((r) => [r.campaignId, r.dryRun ? `${r.state} (dry run)` : r.state, r.users, r.categories.join(','), r.createdAt.toISOString()]),
            ]),
      );
    });
}
