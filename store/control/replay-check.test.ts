import { whyNotReplay } from './replay-check';

describe('whyNotReplay', () => {
  const ended = { state: 'completed' as const, snapshotId: 's-1' };

  it('lets an ended campaign be replayed from its own snapshot or a copy with the same id', () => {
    expect(whyNotReplay('c-1', ended, '/snap', 's-1')).toBeNull();
    expect(whyNotReplay('c-1', { ...ended, state: 'cancelled' }, '/repaired', 's-1')).toBeNull();
  });

  it.each([
    ['no campaign', null, 's-1', /^no campaign c-1$/],
    ['a dry run', { ...ended, dryRun: true }, 's-1', /is a dry run/],
    ['a running campaign', { ...ended, state: 'running' as const }, 's-1', /still running/],
    ['another snapshot', ended, 's-2', /\/snap holds snapshot s-2, not s-1 of campaign c-1/],
  ])('refuses %s', (_, campaign, snapshotId, message) => {
    expect(whyNotReplay('c-1', campaign, '/snap', snapshotId)).toMatch(message);
  });
});
