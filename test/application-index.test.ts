/**
 * The application's own unique index refuses some recovered records: two contacts of one
 * user with one name, a name the user already has live under another record, and a
 * replace that would give a record a name another live record holds. Exactly those are
 * refused and named, each such user's other records are restored, and nothing is read as
 * a race.
 */
import { controlCollections } from '../store/control/control-collections';
import { failureReport } from '../store/control/failure-report';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const OLD = '2009-09-30T18:02:11Z';
const NEWER = '2009-10-01T08:00:00Z';

interface LiveContact {
  userId: string;
  recordId: string;
  updatedAt: Date;
  data: { displayName: string };
}

describe("an application's unique index on another field", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('appindex'));
  });
  afterAll(async () => h?.close());

  it('refuses exactly the records that break it, names the index, and restores the rest of each user', async () => {
    const contact = (userId: string, recordId: string, displayName: string, at = OLD) => recordLine(userId, recordId, at, { displayName });
    const snapshotDir = await writeSnapshot({
      users: ['u-1', 'u-2', 'u-3', 'u-4'].map((userId) => ({ userId, expected: { contacts: userId === 'u-4' ? 1 : 3 } })),
      lines: {
        contacts: [
          contact('u-1', 'c-1', 'Ana'),
          contact('u-1', 'c-2', 'Ana'),
          contact('u-1', 'c-3', 'Bo'),
          contact('u-2', 'c-1', 'Cy'),
          contact('u-2', 'c-2', 'Di'),
          contact('u-2', 'c-3', 'Ed'),
          contact('u-3', 'c-1', 'Fi'),
          contact('u-3', 'c-2', 'Gus'),
          contact('u-3', 'c-3', 'Hal'),
          contact('u-4', 'c-1', 'Ivy', NEWER),
        ],
      },
    });
    const live = h.stores.target.collection<LiveContact>('contacts');
    await live.createIndex({ userId: 1, recordId: 1 }, { unique: true });
    await live.createIndex({ userId: 1, 'data.displayName': 1 }, { unique: true, name: 'app_unique_name' });
    await live.insertMany([
      // u-2 typed Cy in again, under a record id of the application's.
      { userId: 'u-2', recordId: 'app-1', updatedAt: new Date(), data: { displayName: 'Cy' } },
      // u-4's c-1 is older than the recovered one, which would rename it to a name u-4 has live.
      { userId: 'u-4', recordId: 'c-1', updatedAt: new Date(OLD), data: { displayName: 'Old' } },
      { userId: 'u-4', recordId: 'app-2', updatedAt: new Date(), data: { displayName: 'Ivy' } },
    ]);

    const report = await h.runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 10, concurrency: 1 });

    expect(report.state).toBe('completed');
    const c = controlCollections(h.stores.control);
    const statuses = new Map((await c.status.find({ campaignId: report.campaignId }).toArray()).map((s) => [s.userId, s]));
    for (const userId of ['u-1', 'u-2', 'u-4']) {
      const s = statuses.get(userId)!;
      expect(s.state).toBe('failed');
      expect(s.error).toEqual({
        class: 'StoreRefusedError',
        message: "the live store refused 1 record: the application's unique index `app_unique_name` refuses it",
        cause: expect.stringContaining('app_unique_name'),
      });
    }
    expect(statuses.get('u-1')!.restored).toBe(2);
    expect(statuses.get('u-2')!.restored).toBe(2);
    expect(statuses.get('u-4')!.restored).toBe(0);
    expect(statuses.get('u-3')!.state).toBe('restored');
    expect(statuses.get('u-3')!.restored).toBe(3);

    const docs = await live.find({}).toArray();
    const names = (userId: string) =>
      docs
        .filter((d) => d.userId === userId)
        .map((d) => `${d.recordId}:${d.data.displayName}`)
        .sort();
    // One of u-1's two Anas stands (the first in the command), the other is refused; Bo is back.
    expect(names('u-1')).toEqual(['c-1:Ana', 'c-3:Bo']);
    expect(names('u-2')).toEqual(['app-1:Cy', 'c-2:Di', 'c-3:Ed']);
    expect(names('u-3')).toEqual(['c-1:Fi', 'c-2:Gus', 'c-3:Hal']);
    // The refused replace left u-4's live c-1 as it was.
    expect(names('u-4')).toEqual(['app-2:Ivy', 'c-1:Old']);

    const failures = await failureReport(c, report.campaignId);
    expect(failures.failed).toEqual([
      expect.objectContaining({ category: 'contacts', errorClass: 'StoreRefusedError', cause: expect.stringContaining('app_unique_name'), count: 3 }),
    ]);
  }, 120_000);
});
