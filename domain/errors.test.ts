import * as errors from './errors';

describe('the error hierarchy', () => {
  it('says of each class whether retrying can help, and names it by its class', () => {
    const retryable = Object.fromEntries(
      Object.entries(errors)
        .filter(([, value]) => typeof value === 'function' && value.prototype instanceof errors.RestoreError)
        .map(([name, Class]) => {
          const err = new (Class as new (message: string) => errors.RestoreError)('m');
          expect([name, err.name, err.message, err instanceof Error]).toEqual([name, name, 'm', true]);
          return [name, err.retryable];
        }),
    );
    expect(retryable).toEqual({
      BackupFormatError: false,
      ConfigError: false,
      ImportFailedError: false,
      InputError: false,
      LiveStoreRaceError: true,
      NotFoundError: false,
      PrerequisiteMissingError: false,
      SnapshotChangedError: false,
      SnapshotFileError: false,
      SnapshotFormatError: false,
      SnapshotUnavailableError: true,
      StoreRefusedError: false,
      StoreUnavailableError: true,
      TemporalUnavailableError: true,
      WebhookDeliveryError: true,
      WorkerMemoryError: false,
    });
  });

  it('names the failures workflows wait out as the classes are named', () => {
    expect(errors.WAITED_OUT_FAILURES).toEqual({ store: new errors.StoreUnavailableError('m').name, snapshot: new errors.SnapshotUnavailableError('m').name });
  });
});
