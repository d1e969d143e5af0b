/**
 * The one backoff of every activity the workflows call: from a second, doubling, at
 * most a minute apart. Callers add how many attempts they allow. Deterministic, free of
 * Node imports.
 */
export const BACKOFF = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
