import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Env } from '../config/env';
import type { Category } from '../domain/categories';
import { InputError, NotFoundError } from '../domain/errors';
import type { ControlCollections } from '../store/control/control-collections';
import { type UndoReport, undoWorkflow, undoWorkflowId } from '../workflows';
import { resumeDelivery } from './delivery';

export interface UndoOptions {
  campaignId: string;
  userIds?: string[];
  categories?: Category[];
  dryRun?: boolean;
}

/**
 * Checks what makes an undo bad input (exit 2, 400) — no such campaign, one still running,
 * a plan, categories it did not restore — then starts the undo workflow; `result` waits for
 * its report.
 */
export async function startUndo(client: Client, env: Env, c: ControlCollections, options: UndoOptions): Promise<{ workflowId: string; result: () => Promise<UndoReport> }> {
  const { campaignId } = options;
  const campaign = await c.campaigns.findOne({ _id: campaignId }, { projection: { state: 1, categories: 1, dryRun: 1, notify: 1 } });
  if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
  if (campaign.state === 'running') throw new InputError(`campaign ${campaignId} is running: cancel it, or wait for its end, before undoing it`);
  if (campaign.dryRun) throw new InputError(`campaign ${campaignId} is a dry run: it wrote nothing to undo`);
  const categories = options.categories ? campaign.categories.filter((cat) => options.categories!.includes(cat)) : campaign.categories;
  if (categories.length === 0) throw new InputError(`campaign ${campaignId} did not restore ${options.categories!.join(', ')}`);
  try {
    const handle = await client.workflow.start(undoWorkflow, {
      taskQueue: env.RESTORE_TASK_QUEUE,
      workflowId: undoWorkflowId(campaignId),
      args: [{ campaignId, categories, ...(options.userIds?.length ? { userIds: options.userIds } : {}), ...(options.dryRun ? { dryRun: true } : {}) }],
    });
    await resumeDelivery(client, env, campaignId, campaign.notify);
    return { workflowId: handle.workflowId, result: () => handle.result() };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new InputError(`an undo of campaign ${campaignId} is running already; wait for it to end`);
    throw err;
  }
}
