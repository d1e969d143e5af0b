import { ApplicationFailure } from '@temporalio/activity';
import { RestoreError } from '../domain/errors';

/**
 * Runs an activity body and gives Temporal the error it should see: a non-retryable
 * {@link RestoreError} becomes `ApplicationFailure.nonRetryable` typed by its class;
 * anything else is rethrown for Temporal to retry with backoff.
 */
export async function typedFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof RestoreError && !err.retryable) throw ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
}
