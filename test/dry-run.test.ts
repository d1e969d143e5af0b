/**
 * `campaign start --dry-run`: a plan that stages, validates and reads the live store as a
 * real run would, writes nothing to it, and predicts the real run's figures.
 */
import { DEFAULT_BATCH_SIZE } from '../client/campaigns';
import { controlCollections } from '../store/control/control-collections';
import { categoryReport } from '../store/control/campaign-report';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';
import { storedEvents } from './helpers/outbox';

const T = '2009-09-30T18:02:11Z';
const AFTER = new Date('2009-10-12T09:30:00Z');

describe('a dry run', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('dryrun'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
  });
  afterAll(async () => h?.close());

  it('writes nothing to the live store, says what a real run would do, and the real run then reports the same', async () => {
    const snapshotDir = await writeSnapshot({
      users: [
        { userId: 'u-1', expected: { contacts: 3, notes: 1 } },
        { userId: 'u-2', expected: { contacts: 2, notes: 2 } },
      ],
      lines: {
        contacts: [
          recordLine('u-1', 'c-1', T, { displayName: 'Ana', emails: [{ address: 'ana@example.com' }] }),
          recordLine('u-1', 'c-2', T, { displayName: 'Ben' }),
          recordLine('u-1', 'c-3', T, { displayName: 'Cy', phones: [{ number: '+1 555 0100' }] }),
          recordLine('u-2', 'c-4', T, { displayName: 'Di' }),
          { ...recordLine('u-2', 'c-5', T, { displayName: 'Eve' }), sha256: 'f'.repeat(64) },
        ],
        notes: [recordLine('u-1', 'n-1', T, { title: 'a note', body: 'kept' }), recordLine('u-2', 'n-2', T, { title: 'another', body: 'kept' })],
      },
    });
    const contacts = h.stores.target.collection('contacts');
    // Since the outage: u-1 edited Ben (newer than the backup) and typed Ana in again under a new id.
    await contacts.insertMany([
      { userId: 'u-1', recordId: 'c-2', updatedAt: AFTER, data: { displayName: 'Ben, edited' } },
      { userId: 'u-1', recordId: 'live-9', updatedAt: AFTER, data: { displayName: 'Ana', emails: [{ address: ' ANA@example.com' }] } },
    ]);
    const liveBefore = await contacts.find({}, { sort: { recordId: 1 } }).toArray();

    const plan = await h.runWorkerUntil(() => cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--dry-run', '--json'], h.env));
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned).toMatchObject({ state: 'completed', dryRun: true });
    expect(planned.categories.contacts.records).toMatchObject({ expected: 5, received: 5, valid: 4, quarantined: 1, missing: 0, restored: 2, keptLive: 1, duplicates: 1 });
    expect(planned.categories.contacts.users).toMatchObject({ restored: 1, partial: 1, failed: 0 });
    expect(planned.categories.notes.records).toMatchObject({ restored: 2, missing: 1 });
    expect(planned.quarantinedByReason).toEqual([expect.objectContaining({ category: 'contacts', reason: 'digest-mismatch', count: 1 })]);

    // Nothing written: not a document, not a blob, in any collection of the live store.
    expect(await contacts.find({}, { sort: { recordId: 1 } }).toArray()).toEqual(liveBefore);
    expect(await h.stores.target.collection('notes').countDocuments()).toBe(0);
    // Support does not see a plan as a restore.
    expect(JSON.parse((await cli(['user', 'status', 'u-1', '--json'], h.env)).stdout).campaigns).toEqual([]);
    expect((await cli(['campaign', 'list'], h.env)).stdout).toMatch(new RegExp(`${planned.campaignId}\\s+completed \\(dry run\\)`));
    const text = await cli(['campaign', 'status', planned.campaignId], h.env);
    expect(text.stdout).toMatch(/^dry run: the figures are what a real run would do; nothing was written to the live store$/m);

    const real = await h.runWorkerUntil(() => cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--wait', '--json'], h.env));
    expect(real.code).toBe(0);
    const done = JSON.parse(real.stdout);
    expect(done.dryRun).toBe(false);
    expect(done.categories).toEqual(planned.categories);
    expect(done.quarantinedByReason.map((g: { reason: string; count: number }) => [g.reason, g.count])).toEqual([['digest-mismatch', 1]]);
    expect(await contacts.countDocuments()).toBe(liveBefore.length + 2);
    const c = controlCollections(h.stores.control);
    expect(await c.status.countDocuments({ campaignId: done.campaignId, state: 'restored' })).toBe(2);
    // A plan tells no user anything; the real run announces each user-category and each user.
    expect(await storedEvents(c, planned.campaignId)).toHaveLength(0);
    expect(await storedEvents(c, done.campaignId)).toHaveLength(6);
    // The real run's report, summed from its batches' ends as it closed, is what its statuses say.
    const stored = (await c.campaigns.findOne({ _id: done.campaignId }))!.report!;
    for (const category of ['contacts', 'notes'] as const) expect(stored.categories[category]).toEqual(await categoryReport(c, done.campaignId, category, 2));
    // Its pages were recorded when it opened (the bad lines of users.ndjson and the statuses are tagged by them).
    expect((await c.campaigns.findOne({ _id: done.campaignId }))!.pageLines).toEqual({ users: DEFAULT_BATCH_SIZE, contacts: DEFAULT_BATCH_SIZE, notes: DEFAULT_BATCH_SIZE });
    expect(await c.status.countDocuments({ campaignId: done.campaignId, page: { $exists: true } })).toBe(4);

    expect((await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts', '--dry-run', '--canary', '1'], h.env)).code).toBe(2);
    const replay = await cli(['replay', planned.campaignId, '--all-failed'], h.env);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/is a dry run/);
  }, 120_000);
});
