import { createHmac } from 'node:crypto';
import { Context, log } from '@temporalio/activity';
import { WebhookDeliveryError } from '../domain/errors';
import { appendTo } from '../domain/maps';
import type { ControlCollections } from '../store/control/control-collections';
import { type EventsPage, readEvents, SETTLE_MS, SLOT_MS } from '../store/control/outbox';
import { recordUndelivered } from '../store/control/undelivered';

/** Events POSTed per activity run: the cursor is saved after each page. */
const DELIVERY_PAGE = 100;
/** How long one event is tried before delivery records it undelivered and moves on. */
export const GIVE_UP_AFTER_MS = 6 * 3_600_000;
/** A receiver's answer is waited for this long. */
const POST_TIMEOUT_MS = 10_000;

/** Users whose events are POSTed at once; each user's one after another, in order. */
const USERS_AT_ONCE = 8;

/** Where a delivery stands inside its page, kept in heartbeats across attempts. */
interface DeliveryProgress {
  /** Ids of the page's events delivered (or given up on). */
  done: string[];
  /** When each event that failed first failed. */
  failingSince: Record<string, number>;
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
     * POSTs the next page of the campaign's events after `after`, each with its id and
     * signature, then saves the cursor: {@link USERS_AT_ONCE} users at a time, a user's events
     * one after another in the outbox's order. A failed POST stops that user's and, once the
     * others' have gone, fails the attempt, to be retried with backoff, resuming with what is
     * not delivered; an event that fails for {@link GIVE_UP_AFTER_MS} is recorded undelivered
     * and passed. `closed` once the campaign has closed, long enough ago for its last events to have settled.
     */
    async deliverEvents(input: { campaignId: string; url: string; after?: string }): Promise<{ next?: string; delivered: number; closed: boolean }> {
      if (!secret) throw new WebhookDeliveryError('RESTORE_WEBHOOK_SECRET is not set on this worker: deliveries wait until a worker that has it runs');
      const context = Context.current();
      const progress: DeliveryProgress = (context.info.heartbeatDetails as DeliveryProgress | undefined) ?? { done: [], failingSince: {} };
      const campaign = await c.campaigns.findOne({ _id: input.campaignId }, { projection: { state: 1, finishedAt: 1 } });
      const page = await readEvents(c, { campaignId: input.campaignId, after: input.after, limit: DELIVERY_PAGE });
      const done = new Set(progress.done);
      const byUser = new Map<string, EventsPage['events']>();
      for (const event of page.events) if (!done.has(event._id)) appendTo(byUser, event.userId, [event]);
      /** A user's events in order; the first that fails stops the user's, and fails the attempt once every user's have gone. */
      const deliverUser = async (events: EventsPage['events']) => {
        for (const event of events) {
          try {
            await post(input.url, secret, event);
          } catch (err) {
            const since = (progress.failingSince[event._id] ??= Date.now());
            if (Date.now() - since < GIVE_UP_AFTER_MS) return err as Error;
            await recordUndelivered(c, { _id: event._id, campaignId: input.campaignId, reason: (err as Error).message, at: new Date() });
            log.warn('event undelivered', { campaignId: input.campaignId, reason: (err as Error).message });
          }
          progress.done.push(event._id);
          delete progress.failingSince[event._id];
          context.heartbeat(progress);
        }
        return undefined;
      };
      const users = [...byUser.values()];
      const failures: Error[] = [];
      for (let i = 0; i < users.length; i += USERS_AT_ONCE) {
        for (const err of await Promise.all(users.slice(i, i + USERS_AT_ONCE).map(deliverUser))) if (err) failures.push(err);
      }
      context.heartbeat(progress);
      if (failures.length) throw failures[0];
      if (page.next) await c.campaigns.updateOne({ _id: input.campaignId }, { $set: { 'notify.cursor': page.next } });
      const closedLongEnough = campaign?.finishedAt && Date.now() - new Date(campaign.finishedAt).getTime() > SETTLE_MS + 2 * SLOT_MS;
      return {
        ...(page.next ? { next: page.next } : input.after ? { next: input.after } : {}),
        delivered: page.events.length,
        closed: Boolean(closedLongEnough),
      };
    },
  };
}
