import { ApplicationFailure } from '@temporalio/activity';
import { MongoNetworkError } from 'mongodb';
import { InputError, StoreUnavailableError } from '../domain/errors';
import { withTypedFailures } from './failures';

describe('withTypedFailures', () => {
  it('hands an activity every argument it was called with', async () => {
    const wrapped = withTypedFailures({ open: async (settings: { id: string }, pages?: { pageLines: number }) => ({ settings, pages }) });
    await expect(wrapped.open({ id: 'c-1' }, { pageLines: 100 })).resolves.toEqual({ settings: { id: 'c-1' }, pages: { pageLines: 100 } });
  });

  it.each([
    ['an InputError', new InputError('bad flag'), 'InputError', true],
    ['a StoreUnavailableError', new StoreUnavailableError('down'), 'StoreUnavailableError', false],
    ['a driver error of a store out of reach', new MongoNetworkError('connection refused'), 'StoreUnavailableError', false],
    ['a bare Error', new Error('boom'), 'UnexpectedError', false],
  ])('gives %s its type, retryable or not', async (_, error, type, nonRetryable) => {
    const wrapped = withTypedFailures({ fail: async () => Promise.reject(error) });
    const failure = await wrapped.fail().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable });
  });
});
