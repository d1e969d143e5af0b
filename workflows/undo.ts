import { proxyActivities } from '@temporalio/workflow';
import type { Activities, UndoOutcome } from './contracts';
import type { Category } from '../domain/categories';
import { BACKOFF } from './retry';

/**
 * A category's undo runs for as long as its users take, heartbeating where it stands; a store
 * that does not answer is retried without end, backing off: the environment's fault, waited out.
 */
const { undoCategory } = proxyActivities<Activities>({ startToCloseTimeout: '12 hours', heartbeatTimeout: '2 minutes', retry: BACKOFF });

export interface UndoWorkflowInput {
  campaignId: string;
  /** In the campaign's wave order; undone last wave first. */
  categories: Category[];
  userIds?: string[];
  dryRun?: boolean;
}

export interface UndoReport {
  campaignId: string;
  dryRun: boolean;
  categories: UndoOutcome[];
}

/** The workflow id of a campaign's undo: one at a time per campaign. */
export function undoWorkflowId(campaignId: string): string {
  return `undo-${campaignId}`;
}

/**
 * Takes back what an ended campaign and its replays wrote to the live store (`restorectl
 * undo`), a category at a time, last wave first: documents the users have not changed since
 * are removed or put back to what they replaced; the statuses read `undone`. Every step is
 * idempotent: an undo run again, or resumed after a crash, finds nothing left to take back.
 */
export async function undoWorkflow(input: UndoWorkflowInput): Promise<UndoReport> {
  const report: UndoReport = { campaignId: input.campaignId, dryRun: input.dryRun ?? false, categories: [] };
  for (const category of [...input.categories].reverse()) {
    report.categories.push(
      await undoCategory({ campaignId: input.campaignId, category, ...(input.userIds ? { userIds: input.userIds } : {}), ...(input.dryRun ? { dryRun: true } : {}) }),
    );
  }
  return report;
}
