import { executeChild } from '@temporalio/workflow';
import type { BatchOutcome, RestoreBatchInput } from './contracts';
import { restoreBatchWorkflow } from './restore-batch';
import { searchAttributesOf } from './search-attributes';

/**
 * Runs a batch as a child workflow of a campaign or a replay, under `workflowId`, searchable
 * by its campaign and category where the namespace has the attributes (`searchable`).
 * Deterministic: the same input starts the same child.
 */
export function runBatchChild(workflowId: string, searchable: boolean | undefined, batch: RestoreBatchInput): Promise<BatchOutcome> {
  return executeChild(restoreBatchWorkflow, {
    workflowId,
    ...(searchable ? { typedSearchAttributes: searchAttributesOf(batch.campaignId, batch.category) } : {}),
    args: [batch],
  });
}
