/**
 * How the workflows call their activities: one backoff for all, from a second, doubling,
 * at most a minute apart, and the option sets that more than one workflow uses.
 * Deterministic, free of Node imports.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { WAITED_OUT_FAILURES } from '../domain/errors';

export const BACKOFF = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/**
 * The failure type of a snapshot that cannot be read as a whole (SnapshotUnavailableError).
 * A step that reads the snapshot does not retry it: its workflow waits it out
 * (workflows/snapshot-wait.ts), where the operator sees why the campaign stands still.
 */
export const SNAPSHOT_UNAVAILABLE = WAITED_OUT_FAILURES.snapshot;

/** The failure type of a store that does not answer (StoreUnavailableError): a batch waits it out (workflows/restore-batch.ts). */
export const STORE_UNAVAILABLE = WAITED_OUT_FAILURES.store;

/** Activities on the control data (open, page, plan, close): minutes at most, ten attempts. */
export const CONTROL_ACTIVITY = { startToCloseTimeout: '10 minutes', retry: { ...BACKOFF, maximumAttempts: 10 } } as const;

/** A control activity that reads the snapshot (open, page users): its workflow waits out a snapshot it cannot read. */
export const SNAPSHOT_STEP: ActivityOptions = { ...CONTROL_ACTIVITY, retry: { ...CONTROL_ACTIVITY.retry, nonRetryableErrorTypes: [SNAPSHOT_UNAVAILABLE] } };

/** Staging a category file: hours for a large one, heartbeating its position to resume from; a snapshot it cannot read is waited out by its workflow. */
export const STAGING_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '2 minutes',
  retry: { ...BACKOFF, maximumAttempts: 10, nonRetryableErrorTypes: [SNAPSHOT_UNAVAILABLE] },
};
