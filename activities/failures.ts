import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { RestoreError } from '../domain/errors';
import { typedStoreError } from '../store/mongo/store-errors';

/**
 * The error of restorectl's hierarchy that an activity's failure stands for: its own
 * errors as they are; the store's as the store boundary types them (typedStoreError);
 * anything else as what it is, named, and retried.
 */
function asRestoreFailure(thrown: unknown): ApplicationFailure {
  const err = typedStoreError(thrown);
  if (err instanceof RestoreError) {
    return err.retryable ? ApplicationFailure.retryable(err.message, err.name) : ApplicationFailure.nonRetryable(err.message, err.name);
  }
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.retryable(error.message, error.name === 'Error' ? 'UnexpectedError' : error.name);
}

/**
 * Runs an activity body and gives Temporal the failure it should see, typed by its class
 * so that a status's `error.class` always names a cause, never a bare `Error`: a
 * non-retryable {@link RestoreError} becomes `ApplicationFailure.nonRetryable`, every
 * other error a retryable failure for Temporal to retry with backoff. Temporal's own
 * failures (a cancellation) pass through.
 */
export async function typedFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
    throw asRestoreFailure(err);
  }
}

/** Every activity of `activities` behind {@link typedFailures}: the one boundary where failures get their type. */
export function withTypedFailures<A extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: A): A {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, (...args: never[]) => typedFailures(() => fn(...args))])) as A;
}
