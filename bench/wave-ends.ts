import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Category } from '../domain/categories';
import { campaignWorkflowId } from '../client/temporal';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The child workflow an event closes, if it closes one: completed, failed, cancelled, timed out or terminated. */
function closedChild(event: HistoryEvent): string | undefined {
  const closed =
    event.childWorkflowExecutionCompletedEventAttributes ??
    event.childWorkflowExecutionFailedEventAttributes ??
    event.childWorkflowExecutionCanceledEventAttributes ??
    event.childWorkflowExecutionTimedOutEventAttributes ??
    event.childWorkflowExecutionTerminatedEventAttributes;
  return closed?.workflowExecution?.workflowId ?? undefined;
}

/** Events per page of history read: a campaign run's history at 20,000 users averages some 4 KB an event and exceeds a 4 MB gRPC message in pages of 1,000. */
const HISTORY_PAGE = 100;

/** The events of one run of a workflow (the latest without `runId`), page by page. */
async function* historyOf(client: Client, workflowId: string, runId: string | undefined): AsyncGenerator<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: HISTORY_PAGE,
      nextPageToken,
    });
    yield* page.history?.events ?? [];
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/**
 * When each wave of a finished campaign ended, in epoch milliseconds: when its last batch
 * workflow closed, as the campaign's histories (every run, continued as new or not) record
 * it. Read once the campaign is over, so that measuring a wave adds no load to it, as polling
 * its progress would (some 6 ms of CPU a query, across Temporal, worker and client). A
 * wave that ran no batch ends when the one before did, or the first when the campaign
 * started (`startedAt`).
 */
export async function waveEnds(client: Client, campaignId: string, categories: Category[], startedAt: number): Promise<number[]> {
  const last = new Map<Category, number>();
  const batchOf = new RegExp(`^${campaignId}-(${categories.join('|')})-\\d+$`);
  let runId: string | undefined;
  do {
    let before: string | undefined;
    for await (const event of historyOf(client, campaignWorkflowId(campaignId), runId)) {
      before ??= event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? '';
      const category = batchOf.exec(closedChild(event) ?? '')?.[1] as Category | undefined;
      if (category) last.set(category, Math.max(last.get(category) ?? 0, tsToMs(event.eventTime)));
    }
    runId = before || undefined;
  } while (runId);
  const ends: number[] = [];
  for (const category of categories) ends.push(last.get(category) ?? ends[ends.length - 1] ?? startedAt);
  return ends;
}
