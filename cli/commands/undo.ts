import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import type { Category } from '../../domain/categories';
import { operatorCommands } from '../../operations/commands';
import { localActor, withOperations } from '../../operations/connect';
import { printResult, sayer, table } from '../output';
import { campaignIdArg, categoryArg, userIdArg } from '../parse';
import type { UndoReport } from '../../workflows';

/** `undo ID …`: takes back what an ended campaign wrote, for incident staff when a restore was wrong. */
export function registerUndoCommand(program: Command): void {
  program
    .command('undo')
    .description(
      'take back what an ended campaign (and its replays) wrote to the live store and the users have not changed since: restored documents removed, or put back to the live version they replaced; changed ones kept and counted; statuses read undone; idempotent',
    )
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--user <id>', 'only this user (repeat for more)', (v: string, list: string[] = []) => [...list, userIdArg(v)])
    .option('--category <c>', 'only this category (repeat for more)', (v: string, list: Category[] = []) => [...list, categoryArg(v)])
    .option('--dry-run', 'count what it would do, change nothing')
    .option('--json', 'machine-readable output')
    .action(async (campaignId: string, opts: { user?: string[]; category?: Category[]; dryRun?: boolean; json?: boolean }) => {
      const report = await withOperations(loadEnv(), async (deps) => {
        const undo = await operatorCommands(deps, localActor()).undo({ campaignId, userIds: opts.user, categories: opts.category, dryRun: opts.dryRun });
        const doing = opts.dryRun ? `counting what an undo of campaign ${campaignId} would take back` : `undoing campaign ${campaignId}`;
        sayer(opts)(`${doing} (workflow ${undo.workflowId})…`);
        return undo.result();
      });
      printResult(opts, report, renderUndo);
    });
}

function renderUndo(r: UndoReport): string {
  return [
    `${r.dryRun ? 'dry run: nothing changed; an undo would do this' : 'undone'}, campaign ${r.campaignId}:`,
    table([
      ['CATEGORY', 'USERS', 'REMOVED', 'PUT BACK', 'KEPT (CHANGED SINCE)', 'BLOBS REMOVED'],
      ...r.categories.map((c) => [c.category, c.users, c.removed, c.putBack, c.keptChanged, c.blobsRemoved]),
    ]),
  ].join('\n');
}
