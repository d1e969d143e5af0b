import { BSON, MongoNetworkError, MongoServerError } from 'mongodb';
import { classifyWriteError, isStoreUnavailable, refusalReason } from './store-errors';

const serverError = (code: number, errmsg: string, codeName = 'X') => new MongoServerError({ ok: 0, code, codeName, errmsg });

describe('classifyWriteError', () => {
  it('reads only a duplicate key as taken', () => {
    expect(classifyWriteError(serverError(11000, 'E11000 duplicate key'))).toBe('duplicate');
    expect(classifyWriteError({ code: 11000, errmsg: 'E11000', index: 0 })).toBe('duplicate');
  });

  it("reads FerretDB's unique violation on an update as a duplicate key, not as the store failing", () => {
    const err = serverError(1, 'ERROR: duplicate key value violates unique constraint "contacts_cedcb8f0_app_unique_name_df0a132c_idx" (SQLSTATE 23505)', 'InternalError');
    expect(classifyWriteError(err)).toBe('duplicate');
    expect(isStoreUnavailable(err)).toBe(false);
  });

  it("reads FerretDB's InternalError by its SQLSTATE: a data exception is a refusal, a lost connection is not", () => {
    expect(classifyWriteError(serverError(1, 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)', 'InternalError'))).toBe('refused');
    expect(classifyWriteError(serverError(1, 'failed to connect to `host=127.0.0.1`: dial error (dial tcp 127.0.0.1:54329: connect: connection refused)', 'InternalError'))).toBe(
      'transient',
    );
    expect(classifyWriteError(serverError(1, 'FATAL: terminating connection due to administrator command (SQLSTATE 57P01)', 'InternalError'))).toBe('transient');
  });

  it("reads MongoDB's document refusals, and a document BSON cannot encode, as refused", () => {
    expect(classifyWriteError(serverError(121, 'Document failed validation', 'DocumentValidationFailure'))).toBe('refused');
    expect(classifyWriteError(new BSON.BSONError('key must not contain null bytes'))).toBe('refused');
  });

  it('reads a network error as transient', () => {
    expect(classifyWriteError(new MongoNetworkError('connection reset'))).toBe('transient');
  });
});

describe('refusalReason', () => {
  it('says what kind of thing was refused without quoting the store, which may quote the document', () => {
    expect(refusalReason(serverError(1, 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)'))).toBe(
      'the store refused it: it holds a character the store cannot keep (such as U+0000)',
    );
    expect(refusalReason(serverError(121, 'Document failed validation: {name: "Ana"}', 'DocumentValidationFailure'))).toBe(
      "the store refused it: the collection's validator refuses it (DocumentValidationFailure, code 121)",
    );
    expect(refusalReason(serverError(999, 'whatever', 'SomethingNew'))).toBe('the store refused it: SomethingNew (code 999)');
  });
});

describe('isStoreUnavailable', () => {
  it('knows a store that does not answer from one that answered no', () => {
    expect(isStoreUnavailable(new MongoNetworkError('connection reset'))).toBe(true);
    expect(isStoreUnavailable(serverError(91, 'The server is in quiesce mode and will shut down', 'ShutdownInProgress'))).toBe(true);
    expect(isStoreUnavailable(serverError(1, 'FATAL: terminating connection due to administrator command (SQLSTATE 57P01)', 'InternalError'))).toBe(true);
    expect(isStoreUnavailable(serverError(1, 'failed to connect to `user=postgres database=ferretdb`: dial error: connect: connection refused', 'InternalError'))).toBe(true);
    expect(isStoreUnavailable(serverError(1, 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)', 'InternalError'))).toBe(false);
    expect(isStoreUnavailable(serverError(11000, 'E11000 duplicate key'))).toBe(false);
    expect(isStoreUnavailable(new Error('connection refused'))).toBe(false);
  });
});
