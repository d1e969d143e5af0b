import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Env } from '../config/env';
import { InputError } from '../domain/errors';
import type { CampaignDoc } from '../store/control/control-collections';
import { deliveryWorkflow, deliveryWorkflowId } from '../workflows';

/** Checks a `--notify-url` before anything starts: http(s), and a key on this side to sign with. */
export function checkNotifyUrl(url: string, env: Pick<Env, 'RESTORE_WEBHOOK_SECRET'>): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--notify-url ${url} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InputError(`--notify-url must be an http or https URL, not ${parsed.protocol}`);
  if (!env.RESTORE_WEBHOOK_SECRET)
    throw new InputError('--notify-url needs RESTORE_WEBHOOK_SECRET (16 characters or more), the key deliveries are signed with, here and on the workers');
}

/**
 * Starts the webhook delivery of a campaign's events (workflows/delivery.ts) from `after`,
 * unless one runs already: a replay starts it again once a campaign's has ended.
 */
export async function startDelivery(client: Client, env: Pick<Env, 'RESTORE_TASK_QUEUE'>, campaignId: string, url: string, after?: string): Promise<void> {
  try {
    await client.workflow.start(deliveryWorkflow, {
      taskQueue: env.RESTORE_TASK_QUEUE,
      workflowId: deliveryWorkflowId(campaignId),
      args: [{ campaignId, url, ...(after ? { after } : {}) }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Starts a campaign's delivery again from the cursor it saved, when the campaign has a
 * webhook (`notify`): a replay's or an undo's events go where the campaign's went.
 */
export async function resumeDelivery(client: Client, env: Pick<Env, 'RESTORE_TASK_QUEUE'>, campaignId: string, notify: CampaignDoc['notify']): Promise<void> {
  if (notify) await startDelivery(client, env, campaignId, notify.url, notify.cursor);
}
