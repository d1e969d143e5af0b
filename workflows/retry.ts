/**
 * How the workflows call their activities: one backoff for all, from a second, doubling,
 * at most a minute apart, and the option sets that more than one workflow uses.
 * Deterministic, free of Node imports.
 */
export const BACKOFF = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/** Activities on the control data (open, page, plan, close): minutes at most, ten attempts. */
export const CONTROL_ACTIVITY = { startToCloseTimeout: '10 minutes', retry: { ...BACKOFF, maximumAttempts: 10 } } as const;

/** Staging a category file: hours for a large one, heartbeating its position to resume from. */
export const STAGING_ACTIVITY = { startToCloseTimeout: '12 hours', heartbeatTimeout: '2 minutes', retry: { ...BACKOFF, maximumAttempts: 10 } } as const;
