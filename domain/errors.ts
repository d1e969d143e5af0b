/**
 * restorectl's error classes: shallow, named, and each says whether retrying can help.
 * Activities turn a non-retryable one into `ApplicationFailure.nonRetryable` with the
 * class name as its type; the CLI turns an {@link InputError} into exit code 2.
 */
export abstract class RestoreError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input from the operator: a flag, a path, a file that is not what it should be. */
export class InputError extends RestoreError {
  readonly retryable = false;
}

/** A tool the local stack needs is not installed; the message names what to install. */
export class PrerequisiteMissingError extends InputError {}

/** The snapshot as a whole is unusable (no manifest, wrong format); single bad lines are quarantined instead. */
export class SnapshotFormatError extends InputError {}

/** A live document changed between our read and our conditional write; the next attempt re-reads. */
export class LiveStoreRaceError extends RestoreError {
  readonly retryable = true;
}
