import { createHmac } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { WebhookDeliveryError } from '../domain/errors';
import type { ControlCollections } from '../store/control/control-collections';
import { type EventsPage, readEvents, SETTLE_MS, SLOT_MS } from '../store/control/outbox';
import { recordUndelivered } from '../store/control/undelivered';

/** Events POSTed per activity run: the cursor is saved after each page. */
const DELIVERY_PAGE = 100;
/** How long one event is tried before delivery records it undelivered and moves on. */
export const GIVE_UP_AFTER_MS = 6 * 3_600_000;
/** A receiver's answer is waited for this long. */
const POST_TIMEOUT_MS = 10_000;

/** Where a delivery stands inside its page, kept in heartbeats across attempts. */
interface DeliveryProgress {
  /** Events of the page delivered (or given up on). */
  done: number;
  /** When the next one first failed; absent: it has not. */
  failingSince?: number;
}

/** The signature header's value: HMAC-SHA256 of the exact body with the shared secret, hex. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs one event; fails with the receiver's answer, naming its origin only (a URL's path may hold a token). */
async function post(url: string, secret: string, event: EventsPage['events'][number]): Promise<void> {
  const body = JSON.stringify(event);
  const origin = new URL(url).origin;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-restorectl-event': event._id, 'x-restorectl-signature': signature(body, secret) },
      body,
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (err) {
    throw new WebhookDeliveryError(`the receiver at ${origin} did not answer: ${(err as Error).message}`);
  }
  if (!response.ok) throw new WebhookDeliveryError(`the receiver at ${origin} answered ${response.status}`);
}

/** Activities that deliver a campaign's events to its webhook, bound to the control collections and the worker's signing key. */
export function deliveryActivities(c: ControlCollections, secret: string | undefined) {
  return {
    /**
     * POSTs the next page of the campaign's events after `after`, in the outbox's order (so a
     * user's arrive in order), each with its id and signature, then saves the cursor. A failed
     * POST fails the attempt, to be retried with backoff, resuming at that event; one that
     * fails for {@link GIVE_UP_AFTER_MS} is recorded undelivered and passed. `finished` once
     * the campaign has closed and every event it can have has been read.
     */
    async deliverEvents(input: { campaignId: string; url: string; after?: string }): Promise<{ next?: string; delivered: number; finished: boolean }> {
      if (!secret) throw new WebhookDeliveryError('RESTORE_WEBHOOK_SECRET is not set on this worker: deliveries wait until a worker that has it runs');
      const context = Context.current();
      const progress: DeliveryProgress = (context.info.heartbeatDetails as DeliveryProgress | undefined) ?? { done: 0 };
      const campaign = await c.campaigns.findOne({ _id: input.campaignId }, { projection: { state: 1, finishedAt: 1 } });
      const page = await readEvents(c, { campaignId: input.campaignId, after: input.after, limit: DELIVERY_PAGE });
      for (const event of page.events.slice(progress.done)) {
        try {
          await post(input.url, secret, event);
        } catch (err) {
          progress.failingSince ??= Date.now();
          context.heartbeat(progress);
          if (Date.now() - progress.failingSince < GIVE_UP_AFTER_MS) throw err;
          await recordUndelivered(c, { _id: event._id, campaignId: input.campaignId, reason: (err as Error).message, at: new Date() });
          log.warn('event undelivered', { campaignId: input.campaignId, reason: (err as Error).message });
        }
        progress.done += 1;
        delete progress.failingSince;
        context.heartbeat(progress);
      }
      if (page.next) await c.campaigns.updateOne({ _id: input.campaignId }, { $set: { 'notify.cursor': page.next } });
      const closedLongEnough = campaign?.finishedAt && Date.now() - new Date(campaign.finishedAt).getTime() > SETTLE_MS + 2 * SLOT_MS;
      return {
        ...(page.next ? { next: page.next } : input.after ? { next: input.after } : {}),
        delivered: page.events.length,
        finished: Boolean(closedLongEnough) && page.events.length === 0,
      };
    },
  };
}
