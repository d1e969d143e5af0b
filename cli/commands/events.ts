import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { DEFAULT_EVENTS_PAGE, listEvents, type UndeliveredReport, undeliveredEvents } from '../../operations/queries';
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
    .option('--undelivered', 'instead, what the webhook deliveries (campaign start --notify-url) have not delivered: events waiting, and those given up on after hours of retries')
    .option('--json', 'machine-readable output: {"events": [...], "next": CURSOR}, or with --undelivered a list per campaign')
    .action(async (opts: { campaign?: string; after?: string; limit?: number; undelivered?: boolean; json?: boolean }) => {
      if (opts.undelivered) {
        const reports = await withControl(loadEnv(), (c) => undeliveredEvents(c, opts.campaign));
        printResult(opts, reports, renderUndelivered);
        return;
      }
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

/** Per campaign with a webhook: its receiver, what waits, and what was given up on. */
function renderUndelivered(reports: UndeliveredReport[]): string {
  if (reports.length === 0) return 'no campaign delivers its events to a webhook';
  return reports
    .map((r) => {
      const head = `campaign ${r.campaignId} → ${r.receiver}: ${r.waiting}${r.waitingMore ? '+' : ''} event(s) waiting, ${r.gaveUp.length} given up on`;
      return r.gaveUp.length ? `${head}\n${table([['EVENT', 'WHEN', 'LAST REASON'], ...r.gaveUp.map((u) => [u.eventId, u.at.toISOString(), u.reason])])}` : head;
    })
    .join('\n\n');
}
