import type { Stores } from '../store/connection';
import { controlCollections } from '../store/control-collections';
import { campaignActivities } from './campaign';
import { withTypedFailures } from './failures';
import { replayActivities } from './replay';
import { restoreActivities } from './restore';
import { stagingActivities } from './staging';

/** Every activity, bound to the stores of this worker, each failing with a typed failure. */
export function createActivities(stores: Stores) {
  const c = controlCollections(stores.control);
  return withTypedFailures({
    ...campaignActivities(c),
    ...stagingActivities(c),
    ...restoreActivities(stores.target, c),
    ...replayActivities(c),
  });
}

export type Activities = ReturnType<typeof createActivities>;
