import { describeUserCategory, inAbout } from './words';
import type { UserCategoryStatus } from '../store/control/status-reader';

const status = (s: Partial<UserCategoryStatus>): UserCategoryStatus => ({
  state: 'restored',
  expected: 0,
  received: 0,
  valid: 0,
  quarantined: 0,
  missing: 0,
  restored: 0,
  keptLive: 0,
  duplicates: 0,
  attempts: 1,
  error: null,
  updatedAt: new Date(),
  ...s,
});

describe('describeUserCategory', () => {
  it('says in plain words what came back and why the rest did not', () => {
    expect(describeUserCategory(status({ expected: 5, received: 5, valid: 5, restored: 5 }))).toBe('restored: 5 of 5 record(s) back');
    expect(describeUserCategory(status({ state: 'partial', expected: 6, received: 5, valid: 4, quarantined: 1, missing: 1, restored: 2, keptLive: 1, duplicates: 1 }))).toBe(
      'partly restored: 4 of 6 record(s) back; 1 kept as the user edited them since; 1 already re-entered by the user; 1 damaged in the backup and held back; 1 not in the backup',
    );
    expect(describeUserCategory(status({}))).toBe('nothing to restore: the backup holds none');
  });

  it('names waiting, running and failed work, without error details beyond the class', () => {
    expect(describeUserCategory(status({ state: 'pending', expected: 3 }))).toBe('waiting: 3 record(s) expected, not restored yet');
    expect(describeUserCategory(status({ state: 'pending', expected: 3 }), 'cancelled')).toMatch(
      /^not restored: the campaign was cancelled before reaching it \(3 record\(s\) expected\)/,
    );
    expect(describeUserCategory(status({ state: 'pending', expected: 3 }), 'failed', 'WorkerMemoryError')).toBe(
      'not restored: the campaign failed before reaching it: WorkerMemoryError (3 record(s) expected); engineers can finish it (restorectl replay --unfinished)',
    );
    expect(describeUserCategory(status({ state: 'restoring', attempts: 2 }))).toBe('in progress (attempt 2)');
    const failed = describeUserCategory(status({ state: 'failed', attempts: 5, error: { class: 'MongoNetworkError', message: 'connect ECONNREFUSED 10.0.0.1' } }));
    expect(failed).toBe('failed after 5 attempt(s) (MongoNetworkError); engineers can replay it');
  });

  it('says when a waiting category should be back, after which wave, or that the restore is paused', () => {
    const pending = status({ state: 'pending', expected: 3 });
    expect(describeUserCategory(pending, 'running', null, { expectedBy: new Date(), inSeconds: 2400, basis: '' })).toBe('expected back in about 40 minutes (3 record(s))');
    expect(describeUserCategory(pending, 'running', null, { expectedBy: new Date(), inSeconds: 7200, basis: '', afterWave: 'contacts' })).toBe(
      'expected after the contacts wave, in about 2 hours (3 record(s))',
    );
    expect(describeUserCategory(pending, 'running', null, { expectedBy: null, inSeconds: null, basis: 'paused: by its operator', paused: true })).toBe(
      'paused: by its operator; 3 record(s) expected, not restored yet',
    );
    expect(describeUserCategory(pending, 'running', null, { expectedBy: null, inSeconds: null, basis: 'no pace yet' })).toBe('waiting: 3 record(s) expected, not restored yet');
  });

  it('says what an undo took back', () => {
    expect(describeUserCategory(status({ state: 'undone', undo: { removed: 2, putBack: 1, keptChanged: 1 } }))).toBe(
      'undone: the restore was taken back (2 record(s) removed, 1 put back as they were, 1 kept as the user changed them since)',
    );
  });

  it('rounds a time from now to what can be said of it', () => {
    expect([30, 60, 89 * 60, 3 * 3600, 72 * 3600].map(inAbout)).toEqual([
      'in less than a minute',
      'in about 1 minute',
      'in about 89 minutes',
      'in about 3 hours',
      'in about 3 days',
    ]);
  });
});
