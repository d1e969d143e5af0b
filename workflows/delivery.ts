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

export interface DeliveryInput {
  campaignId: string;
  url: string;
  /** The outbox cursor after the last event delivered; absent: from the first. */
  after?: string;
}

/** The workflow id of a campaign's webhook delivery: one at a time per campaign. */
export function deliveryWorkflowId(campaignId: string): string {
  return `deliver-${campaignId}`;
}

/**
 * Follows a campaign's events in the outbox and POSTs each to its webhook (`--notify-url`),
 * apart from the restore, which it never holds back: a page at a time, in order, at least
 * once, polling every few seconds while there is nothing new. Ends once the campaign has
 * closed and its last events have been delivered; a replay starts it again from its cursor.
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<void> {
  let after = input.after;
  for (let polls = 0; polls < POLLS_PER_RUN; polls++) {
    const page = await deliverEvents({ campaignId: input.campaignId, url: input.url, ...(after ? { after } : {}) });
    after = page.next;
    if (page.finished) return;
    if (page.delivered === 0) await sleep('5 seconds');
  }
  await continueAsNew<typeof deliveryWorkflow>({ ...input, ...(after ? { after } : {}) });
}
