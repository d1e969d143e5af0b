import { estimateReturn } from './eta';
import type { CampaignProgress, WaveTally } from '../workflows';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const tally = (category: WaveTally['category'], done: number, startedSecondsAgo: number | null, ended = false): WaveTally => ({
  category,
  users: { restored: done, partial: 0, failed: 0 },
  records: { restored: done, keptLive: 0, duplicates: 0, quarantined: 0, missing: 0 },
  startedAt: startedSecondsAgo === null ? null : NOW - startedSecondsAgo * 1000,
  endedAt: ended ? NOW - 1000 : null,
});
const progress = (p: Partial<CampaignProgress>): CampaignProgress => ({
  campaignId: 'c-1',
  phase: 'restoring',
  paused: false,
  pausedReason: null,
  category: 'notes',
  wave: 1,
  waves: 3,
  users: 1000,
  batchesRunning: 1,
  pace: { concurrency: 4, maxRecordsPerSecond: null },
  outcome: { restored: 0, partial: 0, failed: 0 },
  tallies: [tally('contacts', 1000, 600, true), tally('notes', 100, 60)],
  ...p,
});

describe('estimateReturn', () => {
  it('puts a user further down users.ndjson later in its wave, at the pace so far', () => {
    // 100 users a minute: the page ending at user 200 is 100 users, a minute, away; the one ending at 700, six.
    const near = estimateReturn({ category: 'notes', state: 'pending', reachedAfterUsers: 200 }, progress({}), NOW)!;
    const far = estimateReturn({ category: 'notes', state: 'pending', reachedAfterUsers: 700 }, progress({}), NOW)!;
    expect([near.inSeconds, far.inSeconds]).toEqual([60, 360]);
    expect(far.expectedBy).toEqual(new Date(NOW + 360_000));
    expect(far.basis).toBe('its place in the notes wave: reached once 700 of 1000 users are done; 100 are, at 100 a minute');
    // A page its wave has passed (a batch under way) is due now.
    expect(estimateReturn({ category: 'notes', state: 'restoring', reachedAfterUsers: 50 }, progress({}), NOW)!.inSeconds).toBe(0);
  });

  it('places a later wave after the one under way, and gives no figure while paused or without a pace', () => {
    const later = estimateReturn({ category: 'photos', state: 'pending', reachedAfterUsers: 200 }, progress({}), NOW)!;
    expect(later).toMatchObject({ inSeconds: 540, afterWave: 'notes', basis: 'after the notes wave, which should end by then at its pace so far (100 users a minute)' });
    expect(estimateReturn({ category: 'notes', state: 'pending' }, progress({ paused: true, pausedReason: 'the store does not answer' }), NOW)).toEqual({
      expectedBy: null,
      inSeconds: null,
      basis: 'paused: the store does not answer',
      paused: true,
    });
    expect(estimateReturn({ category: 'notes', state: 'pending' }, progress({ tallies: [tally('contacts', 1000, 600, true), tally('notes', 0, 5)] }), NOW)).toMatchObject({
      expectedBy: null,
      basis: 'no pace yet: the notes wave has not restored a user yet',
    });
  });

  it('gives none for a category that has ended, a wave that is over, or a campaign that does not run', () => {
    expect(estimateReturn({ category: 'notes', state: 'restored' }, progress({}), NOW)).toBeUndefined();
    expect(estimateReturn({ category: 'contacts', state: 'restoring' }, progress({}), NOW)).toBeUndefined();
    expect(estimateReturn({ category: 'notes', state: 'pending' }, null, NOW)).toBeUndefined();
  });
});
