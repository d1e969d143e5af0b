/**
 * The status writer on the real store, with no workflow around it: what support reads of a
 * user-category after each write a batch makes, and that no write removes or rewinds what
 * another recorded.
 */
import { MongoClient } from 'mongodb';
import { controlCollections, type ControlCollections, type UserStatusDoc } from '../store/control/control-collections';
import { connectStores, type Stores } from '../store/mongo/connection';
import { finalState, userStatusWriter } from '../store/control/status-writer';
import { userStatus } from '../store/control/status-reader';
import { campaignReport } from '../store/control/campaign-report';
import { isolatedEnv } from './helpers/test-env';

const T0 = new Date('2026-12-01T10:00:00Z');
const T1 = new Date('2026-12-01T10:05:00Z');
const T2 = new Date('2026-12-01T10:10:00Z');
const ERROR = { class: 'StoreRefusedError', message: 'the live store refused 1 record: too large', cause: 'too large' };
const counts = { expected: 3, received: 3, valid: 3, quarantined: 0, missing: 0, restored: 3, keptLive: 0, duplicates: 0 };

describe('the status writer on the real store', () => {
  let stores: Stores;
  let c: ControlCollections;
  let n = 0;
  /** A campaign of its own for each case. */
  const campaign = () => `c-${++n}`;
  const statuses = async (campaignId: string) => (await c.status.find({ campaignId }).sort({ userId: 1 }).toArray()).map(({ _id, ...doc }) => ({ _id, ...doc }) as UserStatusDoc);

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('statuswriter'));
    c = controlCollections(stores.control);
  });
  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  it('creates pending entries once, with fresh counts, and never overwrites one that exists', async () => {
    const id = campaign();
    const writer = userStatusWriter(c, id, 'notes', (userId) => `page-of-${userId}`);
    await writer.initPending([{ userId: 'u-1', expected: 2 }], T0);
    await writer.markDone([{ userId: 'u-1', ...counts, expected: 2 }], T1);
    await writer.initPending(
      [
        { userId: 'u-1', expected: 9 },
        { userId: 'u-2', expected: 4 },
      ],
      T2,
    );
    expect(await statuses(id)).toEqual([
      {
        _id: `${id}|notes|u-1`,
        campaignId: id,
        userId: 'u-1',
        category: 'notes',
        state: 'restored',
        // Ended by one attempt, the default when none is said.
        attempts: 1,
        error: null,
        updatedAt: T1,
        page: 'page-of-u-1',
        ...counts,
        expected: 2,
      },
      {
        _id: `${id}|notes|u-2`,
        campaignId: id,
        userId: 'u-2',
        category: 'notes',
        state: 'pending',
        attempts: 0,
        error: null,
        updatedAt: T2,
        page: 'page-of-u-2',
        expected: 4,
        received: 0,
        valid: 0,
        quarantined: 0,
        missing: 4,
        restored: 0,
        keptLive: 0,
        duplicates: 0,
      },
    ]);
  });

  it('marks restoring: inserts what a creating batch finds missing, and counts attempts without going back', async () => {
    const id = campaign();
    const writer = userStatusWriter(c, id, 'contacts');
    await writer.markRestoring([{ userId: 'u-1', expected: 3 }], 2, T0, true);
    // A later attempt of an earlier batch, arriving late, does not lower the count.
    await writer.markRestoring([{ userId: 'u-1', expected: 3 }], 1, T1, true);
    // A replay's run counts after the attempts before it.
    await writer.markRestoring([{ userId: 'u-2', expected: 1, attemptsBefore: 3 }], 2, T1, false);
    const [u1, u2] = await statuses(id);
    expect(u1).toMatchObject({ state: 'restoring', attempts: 2, updatedAt: T1, expected: 3, missing: 3, restored: 0, error: null });
    // No pages given: no page tag.
    expect(['page' in u1, 'page' in u2]).toEqual([false, false]);
    expect(u2).toMatchObject({ state: 'restoring', attempts: 5, expected: 1, missing: 1, restored: 0 });
    // FerretDB 1.24 leaves a null out of an upsert's $setOnInsert, where MongoDB writes it: no error either way.
    expect(u2.error ?? null).toBeNull();
  });

  it('marks a whole page restoring by one update of the page, and only when the page is exactly the batch', async () => {
    const id = campaign();
    const pageOf = (userId: string) => (userId === 'u-3' ? 'page-2' : 'page-1');
    const writer = userStatusWriter(c, id, 'tasks', pageOf);
    await writer.initPending(
      ['u-1', 'u-2', 'u-3'].map((userId) => ({ userId, expected: 1 })),
      T0,
    );
    await writer.markRestoring(
      [
        { userId: 'u-1', expected: 1 },
        { userId: 'u-2', expected: 1 },
      ],
      1,
      T1,
      false,
    );
    // u-1 alone is not its page: it is marked by itself, and u-2 keeps what it had.
    await writer.markDone([{ userId: 'u-2', ...counts, expected: 1, received: 1, valid: 1, restored: 1 }], T1);
    await writer.markRestoring([{ userId: 'u-1', expected: 1 }], 2, T2, false);
    expect((await statuses(id)).map((s) => [s.userId, s.state, s.attempts, s.updatedAt])).toEqual([
      ['u-1', 'restoring', 2, T2],
      ['u-2', 'restored', 1, T1],
      ['u-3', 'pending', 0, T0],
    ]);
  });

  it('marks a batch that is exactly its page by one update command, and any other by one per user', async () => {
    const id = campaign();
    const monitored = new MongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', { monitorCommands: true });
    const updates: number[] = [];
    monitored.on('commandStarted', (e) => e.commandName === 'update' && updates.push((e.command.updates as unknown[]).length));
    try {
      const mc = controlCollections(monitored.db(stores.control.databaseName));
      const writer = userStatusWriter(mc, id, 'scores', () => 'the-page');
      const users = ['u-1', 'u-2', 'u-3'].map((userId) => ({ userId, expected: 1 }));
      await writer.initPending(users, T0);
      updates.length = 0;
      await writer.markRestoring(users, 1, T1, false);
      expect(updates).toEqual([1]);
      updates.length = 0;
      await writer.markRestoring(users.slice(0, 2), 2, T2, false);
      expect(updates).toEqual([2]);
      expect((await statuses(id)).map((s) => [s.userId, s.attempts])).toEqual([
        ['u-1', 2],
        ['u-2', 2],
        ['u-3', 1],
      ]);
    } finally {
      await monitored.close();
    }
  });

  it('records how each user ended: restored, partial or failed, with the counts and the error', async () => {
    const id = campaign();
    const writer = userStatusWriter(c, id, 'contacts');
    await writer.markRestoring(
      ['u-1', 'u-2', 'u-3'].map((userId) => ({ userId, expected: 3 })),
      1,
      T0,
      true,
    );
    await writer.markDone(
      [
        { userId: 'u-1', ...counts },
        { userId: 'u-2', ...counts, received: 2, valid: 2, missing: 1, restored: 2 },
        { userId: 'u-3', ...counts, restored: 2, error: ERROR },
      ],
      T1,
    );
    // An entry no batch marked (written by markDone alone) counts one attempt.
    await writer.markDone([{ userId: 'u-4', ...counts, keptLive: 1, restored: 2 }], T1);
    expect((await statuses(id)).map((s) => [s.userId, s.state, s.restored, s.missing, s.keptLive, s.error, s.attempts])).toEqual([
      ['u-1', 'restored', 3, 0, 0, null, 1],
      ['u-2', 'partial', 2, 1, 0, null, 1],
      ['u-3', 'failed', 2, 0, 0, ERROR, 1],
      ['u-4', 'restored', 2, 0, 1, null, 1],
    ]);
  });

  it('marks failed with what the snapshot holds, keeping what was restored, and fills only unknown counts on insert', async () => {
    const id = campaign();
    const writer = userStatusWriter(c, id, 'calendar');
    await writer.markDone([{ userId: 'u-1', ...counts, restored: 2, missing: 1, received: 2, valid: 2 }], T0);
    await writer.markFailed([{ userId: 'u-1', received: 2, valid: 2, quarantined: 0 }], ERROR, T1);
    await writer.markFailed([{ userId: 'u-2', expected: 5, received: 1, valid: 1, quarantined: 0, missing: 4 }], ERROR, T1);
    const [u1, u2] = await statuses(id);
    expect(u1).toMatchObject({ state: 'failed', error: ERROR, updatedAt: T1, restored: 2, missing: 1, received: 2, attempts: 1 });
    // Retries ran out: at least one attempt was made, though none marked the entry.
    expect(u2).toMatchObject({ state: 'failed', error: ERROR, expected: 5, received: 1, valid: 1, missing: 4, restored: 0, keptLive: 0, duplicates: 0, attempts: 1 });
  });

  it('reads a later category with no entry as pending, from the first wave, until its entry is inserted; the report counts users with none as pending', async () => {
    const id = campaign();
    await c.campaigns.insertOne({
      _id: id,
      snapshotDir: '/nowhere',
      snapshotId: 's',
      categories: ['contacts', 'notes'],
      policies: {},
      dedupe: false,
      users: 3,
      staging: {},
      state: 'running',
      createdAt: T0,
      finishedAt: null,
    });
    await userStatusWriter(c, id, 'contacts').markDone([{ userId: 'u-1', ...counts, attempts: 2, expectedOf: { notes: 4 } }], T0);
    const before = await userStatus(c, 'u-1', id);
    expect(before.campaigns[0].categories.contacts).toMatchObject({ state: 'restored', attempts: 2 });
    expect(before.campaigns[0].categories.contacts).not.toHaveProperty('expectedOf');
    expect(before.campaigns[0].categories.notes).toMatchObject({ state: 'pending', expected: 4, missing: 4, received: 0, attempts: 0 });
    expect((await campaignReport(c, id))?.categories.notes?.users).toMatchObject({ pending: 3, restored: 0 });

    // A retry that ends it again (its entry there) updates the counts, and never lowers the attempts.
    const notes = userStatusWriter(c, id, 'notes');
    await notes.markDone([{ userId: 'u-1', ...counts, expected: 4, received: 4, valid: 4, restored: 4, attempts: 1 }], T1);
    await notes.markDone([{ userId: 'u-1', ...counts, expected: 4, received: 4, valid: 4, restored: 3, keptLive: 1, attempts: 3 }], T2);
    const after = await userStatus(c, 'u-1', id);
    expect(after.campaigns[0].categories.notes).toMatchObject({ state: 'restored', restored: 3, keptLive: 1, attempts: 3, updatedAt: T2 });
    expect((await campaignReport(c, id))?.categories.notes?.users).toMatchObject({ pending: 2, restored: 1 });
  });
});

describe('finalState', () => {
  it('is failed with an error, partial with anything quarantined or missing, else restored', () => {
    expect(finalState({ quarantined: 0, missing: 0, error: null })).toBe('restored');
    expect(finalState({ quarantined: 1, missing: 0 })).toBe('partial');
    expect(finalState({ quarantined: 0, missing: 1 })).toBe('partial');
    expect(finalState({ quarantined: 0, missing: 0, error: ERROR })).toBe('failed');
  });
});
