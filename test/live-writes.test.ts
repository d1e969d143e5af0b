/**
 * An application keeps writing while a campaign restores the same users: it creates new
 * records, creates records under the very recordIds the restore is inserting (the insert
 * race), and edits what it finds. Every write the store acknowledged must survive, and no
 * (userId, recordId) may exist twice. The live collection has the unique index the README
 * asks for. Writes aimed at the instant FerretDB replaces the same document are left out:
 * on the stand-in a filtered replace is not atomic (README, "Limits of the local stack").
 */
import { MongoServerError } from 'mongodb';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const OLD = '2009-09-30T18:02:11Z';
const USERS = 150;
const RECOVERED = 4;
const MAX_APP_WRITES = 3000;

interface LiveContact {
  userId: string;
  recordId: string;
  updatedAt: Date;
  data: { displayName: string };
}

describe('an application writing during a campaign', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('livewrites'));
  });
  afterAll(async () => h?.close());

  it('loses no acknowledged application write and doubles no record', async () => {
    const users = Array.from({ length: USERS }, (_, i) => `u-${i + 1}`);
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: RECOVERED } })),
      lines: { contacts: users.flatMap((userId) => Array.from({ length: RECOVERED }, (_, k) => recordLine(userId, `c-${k}`, OLD, { displayName: `recovered ${k}` }))) },
    });
    const live = h.stores.target.collection<LiveContact>('contacts');
    await live.createIndex({ userId: 1, recordId: 1 }, { unique: true });

    /** The value of each record as the application last wrote it and was told it was stored. */
    const acknowledged = new Map<string, string>();
    let writes = 0;
    let done = false;
    const app = (async () => {
      for (let n = 0; !done && n < MAX_APP_WRITES; n++) {
        const userId = users[n % USERS];
        const recordId = n % 3 === 0 ? `app-${n}` : `c-${n % RECOVERED}`;
        const displayName = `app write ${n}`;
        const updatedAt = new Date();
        try {
          await live.insertOne({ userId, recordId, updatedAt, data: { displayName } });
        } catch (err) {
          if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
          // The record exists (restored, or written by us before): edit it, as a user would.
          const r = await live.updateOne({ userId, recordId }, { $set: { updatedAt, 'data.displayName': displayName } });
          if (r.matchedCount !== 1) continue;
        }
        acknowledged.set(`${userId}/${recordId}`, displayName);
        writes += 1;
      }
    })();
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 5, concurrency: 4 }).finally(() => (done = true));
    await app;

    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users.failed).toBe(0);
    expect(writes).toBeGreaterThan(0);
    const docs = await live.find({}).toArray();
    const keys = docs.map((d) => `${d.userId}/${d.recordId}`);
    expect(keys.length - new Set(keys).size).toBe(0);
    const byKey = new Map(docs.map((d) => [`${d.userId}/${d.recordId}`, d.data.displayName]));
    const lost = [...acknowledged].filter(([key, value]) => byKey.get(key) !== value);
    expect(lost).toEqual([]);
    // Every recovered record is there: restored, or kept as the application wrote it.
    for (const userId of users) for (let k = 0; k < RECOVERED; k++) expect(byKey.has(`${userId}/c-${k}`)).toBe(true);
  }, 300_000);
});
