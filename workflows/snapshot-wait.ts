import { ActivityFailure, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import { failureOf } from './failure-of';
import { BACKOFF, SNAPSHOT_UNAVAILABLE } from './retry';
import type { Activities } from './contracts';

/** Asks whether the snapshot reads again until it does: no limit on attempts, starting 5 s apart, backing off to a minute. */
const { waitForSnapshot } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { ...BACKOFF, initialInterval: '5 seconds' } });

/** How long a snapshot that came back as another one is left before it is looked at again. */
const CHANGED_RECHECK = '30 seconds';

/** Says why a step waits for the snapshot (a reason in words for the operator), and null once it reads again. */
export type TellSnapshotWait = (reason: string | null) => void | Promise<void>;

/** The reason in a step's failure when the snapshot could not be read as a whole; null for any other failure. Deterministic. */
export function snapshotUnavailable(err: unknown): string | null {
  if (!(err instanceof ActivityFailure) || isCancellation(err)) return null;
  const failure = failureOf(err);
  return failure.class === SNAPSHOT_UNAVAILABLE ? failure.message : null;
}

/**
 * Waits until the snapshot at `snapshotDir` reads again as the campaign's own, telling
 * `tell` why meanwhile: first `reason`, then, if it comes back as another snapshot, that,
 * looked at again every half minute; null once it is back.
 */
export async function waitOutSnapshot(campaignId: string, snapshotDir: string, reason: string, tell: TellSnapshotWait): Promise<void> {
  await tell(reason);
  for (;;) {
    const { changed } = await waitForSnapshot({ campaignId, snapshotDir });
    if (changed === null) break;
    await tell(changed);
    await sleep(CHANGED_RECHECK);
  }
  await tell(null);
}

/**
 * Runs `step`, an activity that reads the snapshot, until it completes: each time it fails
 * because the snapshot cannot be read, waits that out ({@link waitOutSnapshot}) and runs it
 * again. Any other failure is thrown.
 */
export async function untilSnapshotReads<T>(step: () => Promise<T>, campaignId: string, snapshotDir: string, tell: TellSnapshotWait): Promise<T> {
  for (;;) {
    try {
      return await step();
    } catch (err) {
      const reason = snapshotUnavailable(err);
      if (reason === null) throw err;
      await waitOutSnapshot(campaignId, snapshotDir, reason, tell);
    }
  }
}
