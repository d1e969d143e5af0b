import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from './contracts';

/**
 * Delivery to a slow or failing receiver retries without end, backing off to five minutes
 * apart: the receiver's trouble is the environment's, and only the activity's own give-up
 * (hours on one event, activities/delivery.ts) moves past an event.
 */
const { deliverEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Polls of an empty outbox before a delivery continues as new, keeping its history bounded. */
const POLLS_PER_RUN = 500;

/**
 * How long a delivery goes on with nothing to deliver once its campaign has ended: a replay
 * or an undo started meanwhile writes events it then delivers (one started later starts it again).
 */
const DEFAULT_IDLE_SECONDS = 1800;

export interface DeliveryInput {
  campaignId: string;
  url: string;
  /** The outbox cursor after the last event delivered; absent: from the first. */
  after?: string;
  /** Seconds with nothing to deliver, its campaign ended, before it ends; default {@link DEFAULT_IDLE_SECONDS}. */
  idleSeconds?: number;
}

/** The workflow id of a campaign's webhook delivery: one at a time per campaign. */
export function deliveryWorkflowId(campaignId: string): string {
  return `deliver-${campaignId}`;
}

/**
 * Follows a campaign's events in the outbox and POSTs each to its webhook (`--notify-url`),
 * apart from the restore, which it never holds back: a page at a time, in order, at least
 * once, polling every few seconds while there is nothing new. Ends once the campaign has
 * closed and nothing has come to deliver for `idleSeconds`; a replay or an undo starts it
 * again from its cursor.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<void> {
  let after = input.after;
  // Workflow time: the same on every replay of the history.
  let idleSince = Date.now();
  for (let polls = 0; polls < POLLS_PER_RUN; polls++) {
    const page = await deliverEvents({ campaignId: input.campaignId, url: input.url, ...(after ? { after } : {}) });
    after = page.next;
    if (page.delivered > 0) idleSince = Date.now();
    else if (page.closed && Date.now() - idleSince >= (input.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000) return;
    else await sleep('5 seconds');
  }
  await continueAsNew<typeof deliveryWorkflow>({ ...input, ...(after ? { after } : {}) });
}
