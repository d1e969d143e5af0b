import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { DEFAULT_EVENTS_PAGE, listEvents } from '../../operations/queries';
import { withControl } from '../../client/control';
import { MAX_EVENTS_PAGE } from '../../store/control/outbox';
import { printResult, table } from '../output';
import { boundedIntArg, campaignIdArg } from '../parse';

/** `events [--campaign ID] [--after CURSOR] [--limit N]`: the outbox, a page at a time, for the application that tells users what came back. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description(
      'what came back, as the outbox records it for the application to tell its users: an event per user-category ending (restored, partial, failed) and one per user once all its categories have; a page in the order recorded, then the cursor to read on from (--after)',
    )
    .option('--campaign <id>', 'only this campaign', campaignIdArg)
    .option('--after <cursor>', 'read on after this cursor (the `next` a page ended with)')
    .option('--limit <n>', `events per page (default ${DEFAULT_EVENTS_PAGE})`, boundedIntArg(1, MAX_EVENTS_PAGE))
    .option('--json', 'machine-readable output: {"events": [...], "next": CURSOR}')
    .action(async (opts: { campaign?: string; after?: string; limit?: number; json?: boolean }) => {
      const page = await withControl(loadEnv(), (c) => listEvents(c, { campaignId: opts.campaign, after: opts.after, limit: opts.limit }));
      printResult(opts, page, ({ events, next }) => {
        const rows = events.map((e) => [
          e.at.toISOString(),
          e.campaignId,
          e.userId,
          e.category ?? 'all',
          e.state,
          `${e.counts.restored + e.counts.keptLive + e.counts.duplicates} of ${e.counts.expected}`,
        ]);
        const listed = events.length ? table([['WHEN', 'CAMPAIGN', 'USER', 'CATEGORY', 'STATE', 'RECORDS BACK'], ...rows]) : 'no event after this point yet';
        return next ? `${listed}\nnext: ${next}` : listed;
      });
    });
}
