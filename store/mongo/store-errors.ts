import { BSON, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { StoreUnavailableError } from '../../domain/errors';

/** MongoDB's error code for a unique key that is already taken. */
export const DUPLICATE_KEY = 11000;

/**
 * Server codes by which MongoDB refuses a document for what it holds: writing it again
 * cannot succeed. (BadValue, TypeMismatch, DollarPrefixedFieldName,
 * DocumentValidationFailure, BSONObjectTooLarge, and the "document too large" codes.)
 */
const DOCUMENT_REFUSED_CODES = new Set([2, 14, 52, 121, 10334, 17419, 17420]);

/**
 * PostgreSQL's SQLSTATE classes by which FerretDB passes on a refusal of the document
 * itself (22: data exception, such as U+0000 in text, 22P05; 54: a program limit such
 * as a row too large). FerretDB reports them as InternalError, code 1, the same code as
 * a lost connection, so the SQLSTATE is the only sign of which it was.
 */
const REFUSED_SQLSTATE = /SQLSTATE (22|54)[0-9A-Z]{3}/;

/** Plain words for the SQLSTATEs a recovered record meets; no values, only what kind of thing it holds. */
const SQLSTATE_WORDS: Record<string, string> = {
  '22P05': 'it holds a character the store cannot keep (such as U+0000)',
  '22021': 'it holds a byte sequence that is not valid text',
  '54000': 'it is larger than the store can keep',
};

/**
 * How FerretDB passes on a unique index's refusal of an update: PostgreSQL's unique_violation,
 * as InternalError (code 1), where an insert gets MongoDB's duplicate-key code.
 */
const DUPLICATE_SQLSTATE = /SQLSTATE 23505/;

/** Plain words for MongoDB's refusals of a document; the code follows, for an engineer to look up. */
const CODE_WORDS: Record<number, string> = {
  121: "the collection's validator refuses it (DocumentValidationFailure, code 121)",
  10334: 'it is larger than a document may be (BSONObjectTooLarge, code 10334)',
  17419: 'it is larger than a document may be (code 17419)',
  17420: 'it is larger than a document may be (code 17420)',
  52: 'a field name starts with $ (DollarPrefixedFieldName, code 52)',
};

export type WriteErrorKind = 'duplicate' | 'refused' | 'transient';

/**
 * What a failed single-document write means: the key is taken, the document itself is
 * refused (never worth retrying), or anything else, which is treated as the store
 * failing and retried.
 */
export function classifyWriteError(err: unknown): WriteErrorKind {
  if (BSON.BSONError.isBSONError(err)) return 'refused';
  const code = (err as { code?: unknown }).code;
  if (code === DUPLICATE_KEY) return 'duplicate';
  if (err instanceof MongoServerError || isWriteError(err)) {
    if (DUPLICATE_SQLSTATE.test(messageOf(err))) return 'duplicate';
    if (typeof code === 'number' && DOCUMENT_REFUSED_CODES.has(code)) return 'refused';
    if (REFUSED_SQLSTATE.test(messageOf(err))) return 'refused';
  }
  return 'transient';
}

/**
 * Why the store refused a document, in words safe to show support staff: the error's
 * code and kind, never its text, which may quote the document.
 */
export function refusalReason(err: unknown): string {
  if (BSON.BSONError.isBSONError(err)) return 'the store refused it: it cannot be encoded as BSON';
  const sqlstate = /SQLSTATE ([0-9A-Z]{5})/.exec(messageOf(err))?.[1];
  if (sqlstate) return `the store refused it: ${SQLSTATE_WORDS[sqlstate] ?? `PostgreSQL SQLSTATE ${sqlstate}`}`;
  const { code, codeName } = err as { code?: unknown; codeName?: unknown };
  const words = typeof code === 'number' ? CODE_WORDS[code] : undefined;
  if (words) return `the store refused it: ${words}`;
  return `the store refused it: ${typeof codeName === 'string' ? codeName : 'error'}${typeof code === 'number' ? ` (code ${code})` : ''}`;
}

function isWriteError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number' && 'errmsg' in err;
}

function messageOf(err: unknown): string {
  const e = err as { message?: unknown; errmsg?: unknown };
  return `${typeof e.message === 'string' ? e.message : ''} ${typeof e.errmsg === 'string' ? e.errmsg : ''}`;
}

/**
 * MongoDB server codes that mean the server is going away or not the one to write to:
 * HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
 * SocketException, NotWritablePrimary, InterruptedAtShutdown,
 * InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * How FerretDB passes on a PostgreSQL that does not answer: SQLSTATE classes 08
 * (connection exception), 53 (insufficient resources, such as too many connections) and
 * 57P (the server shutting down or starting), or the driver's own words for a refused dial.
 */
const UNAVAILABLE_BACKEND = /SQLSTATE (08|53|57P)[0-9A-Z]{2,3}|failed to connect to|connection refused|dial tcp/;

/**
 * True when an error says the store cannot be reached or is not serving now, which
 * waiting can mend: a network error, no server to select, a server shutting down or
 * stepping down, or FerretDB's backend not answering.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (!(err instanceof MongoServerError)) return false;
  if (typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code)) return true;
  return UNAVAILABLE_BACKEND.test(messageOf(err));
}

/**
 * A driver error as one of restorectl's own, the one place where what the store said gets
 * its meaning for retrying: a store that cannot be reached or is not serving becomes a
 * {@link StoreUnavailableError} (retried, and waited out by the workflows); any other
 * error is returned as it is.
 */
export function typedStoreError(err: unknown): unknown {
  return isStoreUnavailable(err) ? new StoreUnavailableError(`the store did not answer: ${(err as Error).message}`, { cause: err }) : err;
}
