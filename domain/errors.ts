/**
 * restorectl's error classes: shallow, named, and each says whether retrying can help.
 * Activities turn a non-retryable one into `ApplicationFailure.nonRetryable` with the
 * class name as its type; the CLI turns an {@link InputError} into exit code 2.
 * Messages name files, fields and counts, never record contents: they reach statuses
 * that support staff read.
 */
export abstract class RestoreError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from the operator: a flag, a path, a file that is not what it should be. */
export class InputError extends RestoreError {
  readonly retryable = false;
}

/** What the operator named does not exist (a campaign, a user): exit 2 at the CLI, 404 from the API. */
export class NotFoundError extends InputError {}

/** A malformed environment variable; the message names it. */
export class ConfigError extends InputError {}

/** A tool the local stack needs is not installed; the message names what to install. */
export class PrerequisiteMissingError extends InputError {}

/** The snapshot as a whole is unusable (no manifest, wrong format); single bad lines are quarantined instead. */
export class SnapshotFormatError extends InputError {}

/** A file of the snapshot cannot be read as what it should be (missing, a directory, unreadable). */
export class SnapshotFileError extends SnapshotFormatError {}

/** A backup to import is damaged or not what it should be (a truncated BSON file, bad gzip, a missing collection); the message names the file and offset. */
export class BackupFormatError extends InputError {}

/** An import failed once it had begun writing its snapshot: its report says what was read (exit 1, not 2). */
export class ImportFailedError extends RestoreError {
  readonly retryable = false;
}

/** A file of the snapshot no longer holds what staging checked (a line, a blob): the data's fault, not the storage's. */
export class SnapshotChangedError extends SnapshotFileError {}

/**
 * The store refused a document for what it holds (a character it cannot keep, a size
 * it does not take, a validator): writing it again cannot succeed.
 */
export class StoreRefusedError extends RestoreError {
  readonly retryable = false;
}

/** A worker's memory cannot hold what a step needs at once; another worker with the same heap would fail the same way. The message names the setting to raise. */
export class WorkerMemoryError extends RestoreError {
  readonly retryable = false;
}

/** The store did not answer, or failed in a way that may pass: wait and retry. */
export class StoreUnavailableError extends RestoreError {
  readonly retryable = true;
}

/**
 * The snapshot cannot be read as a whole (its directory, manifest.json, users.ndjson or a
 * category file gone or unreadable): its storage went away, as a network mount drops. The
 * environment's fault, not a user's: campaigns pause and wait for it, and go on by themselves.
 */
export class SnapshotUnavailableError extends RestoreError {
  readonly retryable = true;
}

/** The Temporal frontend did not answer within the time allowed; the message names its address. */
export class TemporalUnavailableError extends RestoreError {
  readonly retryable = true;
}

/** A webhook receiver did not take an event (no answer, or not a 2xx): delivery tries again, backing off. */
export class WebhookDeliveryError extends RestoreError {
  readonly retryable = true;
}

/** A live document changed between our read and our conditional write; the next attempt re-reads. */
export class LiveStoreRaceError extends RestoreError {
  readonly retryable = true;
}

/**
 * The failure types that workflows wait out rather than fail on, by name. An activity's
 * failure carries its error's class name as its type (activities/failures.ts); workflows
 * compare with these names, the classes' own (domain/errors.test.ts keeps them equal).
 */
export const WAITED_OUT_FAILURES = {
  store: 'StoreUnavailableError',
  snapshot: 'SnapshotUnavailableError',
} as const;
