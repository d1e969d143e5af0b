import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import type { Category } from '../../domain/categories';
import { MAX_CONCURRENCY } from '../../workflows/pace';
import { operatorCommands } from '../../operations/commands';
import { localActor, withOperations } from '../../operations/connect';
import { printResult, sayer } from '../output';
import { boundedIntArg, campaignIdArg, categoryArg, userIdArg } from '../parse';
import { renderReplay } from '../render';
import { DEFAULT_CONCURRENCY } from '../../client/campaigns';
import { checkReplayChoice } from '../../client/replays';

/** `replay ID …`: re-runs chosen user-categories of an ended campaign, for engineers after a fix. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      're-run validation and restore for user-categories of an ended campaign (failed ones, or those of given users that are not restored), through Temporal; idempotent',
    )
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--user <id>', 'this user (repeat for more)', (v: string, list: string[] = []) => [...list, userIdArg(v)])
    .option('--category <c>', 'only this category (repeat for more)', (v: string, list: Category[] = []) => [...list, categoryArg(v)])
    .option('--all-failed', 'every failed user-category (of the given users, if any)')
    .option('--unfinished', 'every user-category the campaign did not finish: pending, restoring or failed (of the given users, if any)')
    .option('--snapshot <dir>', "a repaired copy of the campaign's snapshot, with the same snapshotId")
    .option('--concurrency <n>', `batch workflows at once, 1–${MAX_CONCURRENCY}`, boundedIntArg(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY)
    .option('--json', 'machine-readable output')
    .action(
      async (
        campaignId: string,
        opts: { user?: string[]; category?: Category[]; allFailed?: boolean; unfinished?: boolean; snapshot?: string; concurrency: number; json?: boolean },
      ) => {
        checkReplayChoice({ userIds: opts.user, allFailed: opts.allFailed, unfinished: opts.unfinished });
        const report = await withOperations(loadEnv(), async (deps) => {
          const replay = await operatorCommands(deps, localActor()).replay({
            campaignId,
            userIds: opts.user,
            categories: opts.category,
            allFailed: opts.allFailed,
            unfinished: opts.unfinished,
            snapshotDir: opts.snapshot,
            concurrency: opts.concurrency,
          });
          sayer(opts)(`replaying campaign ${campaignId} (workflow ${replay.workflowId})…`);
          return replay.result();
        });
        printResult(opts, report, renderReplay);
        if (report.categories.some((w) => w.outcome.failed > 0)) process.exitCode = 1;
      },
    );
}
