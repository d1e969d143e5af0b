import type { Stores } from '../store/mongo/connection';
import { controlCollections } from '../store/control/control-collections';
import { campaignActivities } from './campaign';
import { withTypedFailures } from './failures';
import { replayActivities } from './replay';
import { type RestoreHooks, restoreActivities } from './restore';
import { stagingActivities } from './staging';
import { deliveryActivities } from './delivery';
import { undoActivities } from './undo';

/**
 * Every activity, bound to the stores of this worker, each failing with a typed failure;
 * `hooks` are for tests only; `webhookSecret` signs webhook deliveries (RESTORE_WEBHOOK_SECRET).
 */
export function createActivities(stores: Stores, hooks: RestoreHooks = {}, webhookSecret?: string) {
  const c = controlCollections(stores.control);
  return withTypedFailures({
    ...campaignActivities(c),
    ...stagingActivities(c),
    ...restoreActivities(stores.target, c, hooks),
    ...replayActivities(c),
    ...deliveryActivities(c, webhookSecret),
    ...undoActivities(stores.target, c),
  });
}

export type Activities = ReturnType<typeof createActivities>;
