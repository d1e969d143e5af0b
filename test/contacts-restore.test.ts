/**
 * Restores contacts through real workflows on the Temporal dev server into FerretDB,
 * and checks the live store, the quarantine and the per-user status against §3–§5.
 */
import { BSON, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';
import type { CampaignReport } from '../store/control/campaign-report';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const OLD = '2009-09-30T18:02:11Z';
const contact = (displayName: string, email?: string) => ({ displayName, ...(email ? { emails: [{ address: email }] } : {}) });

// Line numbers matter: the quarantine must name them.
const lines = [
  /* 1 */ recordLine('u-1', 'c-1', OLD, contact('Ana Okafor', 'ana@example.com')),
  /* 2 */ recordLine('u-2', 'c-10', OLD, contact('Ben Schmidt')),
  /* 3 */ '{"userId":"u-1","recordId":"c-9",',
  /* 4 */ recordLine('u-1', 'c-2', OLD, { ...contact('Chloé'), favourite: true }),
  /* 5 */ { ...recordLine('u-1', 'c-3', OLD, contact('Dmitri')), sha256: 'ab'.repeat(32) },
  /* 6 */ recordLine('ghost', 'c-99', OLD, contact('Nobody')),
  /* 7 */ recordLine('u-2', 'bad id', OLD, contact('Eun-ji')),
  /* 8 */ recordLine('u-1', 'c-1', OLD, contact('Ana O. (other)')),
  /* 9 */ recordLine('u-2', 'c-10', OLD, contact('Ben Schmidt')),
  /* 10 */ recordLine('u-1', 'c-4', OLD, contact('Farid Haddad', 'Farid.H@Example.com')),
  /* 11 */ recordLine('u-3', 'c-20', OLD, contact('Grace Silva')),
  /* 12 */ recordLine('u-3', 'c-21', OLD, contact('Hiro Tanaka', 'not-an-address')),
  /* 13 */ recordLine('u-5', 'c-50', OLD, contact('Inés (recovered)')),
  /* 14 */ recordLine('u-5', 'c-51', OLD, contact('Jamal (recovered)')),
];

const users = [
  { userId: 'u-1', expected: { contacts: 4 } },
  { userId: 'u-2', expected: { contacts: 2 } },
  { userId: 'u-3', expected: { contacts: 3 } },
  { userId: 'u-4' },
  { userId: 'u-5', expected: { contacts: 2 } },
  // A repeated user: the first line stands, so u-2 is restored once, expecting 2.
  { userId: 'u-2', expected: { contacts: 9 } },
];

/** Every document of every collection of the live database, in a canonical, comparable form. */
async function dumpDatabase(db: Db): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const { name } of (await db.listCollections().toArray()).sort((a, b) => a.name.localeCompare(b.name))) {
    const docs = await db.collection(name).find({}).toArray();
    out[name] = docs.map((d) => BSON.EJSON.serialize(d, { relaxed: false })).sort((a, b) => JSON.stringify(a._id).localeCompare(JSON.stringify(b._id)));
  }
  return JSON.stringify(out);
}

describe('a contacts campaign on the real stack', () => {
  let h: Harness;
  let snapshotDir: string;
  let report: CampaignReport;
  const liveNewerId = new ObjectId();
  const liveOlderId = new ObjectId();

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('contacts'));
    snapshotDir = await writeSnapshot({ users, lines: { contacts: lines } });
    await h.stores.target.collection('contacts').insertMany([
      // Re-entered by u-1 after the outage, with the e-mail of recovered contact c-4.
      {
        _id: new ObjectId(),
        userId: 'u-1',
        recordId: 'live-7',
        updatedAt: new Date('2009-10-05T10:00:00Z'),
        data: { displayName: 'Farid', emails: [{ address: ' farid.h@EXAMPLE.com ' }] },
      },
      { _id: liveNewerId, userId: 'u-5', recordId: 'c-50', updatedAt: new Date('2009-10-20T08:00:00Z'), data: { displayName: 'Inés (edited live)' } },
      { _id: liveOlderId, userId: 'u-5', recordId: 'c-51', updatedAt: new Date('2009-01-01T00:00:00Z'), data: { displayName: 'Jamal (stale)' } },
    ]);
    report = await h.runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 2 });
  });

  afterAll(async () => h?.close());

  it('restores exactly the valid contacts, with provenance', async () => {
    const restored = await h.stores.target
      .collection('contacts')
      .find({ restore: { $exists: true } })
      .toArray();
    expect(restored.map((d) => `${d.userId}/${d.recordId}`).sort()).toEqual(['u-1/c-1', 'u-2/c-10', 'u-3/c-20', 'u-5/c-51']);
    const c1 = restored.find((d) => d.recordId === 'c-1')!;
    expect(c1.data).toEqual(contact('Ana Okafor', 'ana@example.com'));
    expect(c1.updatedAt).toEqual(new Date(OLD));
    expect(c1.restore).toMatchObject({ campaignId: report.campaignId, snapshotId: 'test-snapshot', sha256: (lines[0] as { sha256: string }).sha256 });
    expect(c1.restore.restoredAt).toBeInstanceOf(Date);
  });

  it('quarantines each invalid line with its reason and line number', async () => {
    const quarantine = await controlCollections(h.stores.control).quarantine.find({ campaignId: report.campaignId, category: 'contacts' }).sort({ line: 1 }).toArray();
    expect(quarantine.map((q) => [q.line, q.reason.code, q.userId])).toEqual([
      [3, 'invalid-json', null],
      [4, 'schema', 'u-1'],
      [5, 'digest-mismatch', 'u-1'],
      [6, 'unknown-user', null],
      [7, 'bad-record-id', 'u-2'],
      [8, 'duplicate-conflict', 'u-1'],
      [12, 'schema', 'u-3'],
    ]);
    expect(quarantine.find((q) => q.line === 4)!.reason.message).toMatch(/favourite|unrecognized/i);
    expect(quarantine.find((q) => q.line === 8)!.reason.message).toContain('line 1');
    expect(quarantine.find((q) => q.line === 12)!.reason.message).toMatch(/^data\.emails\.0\.address/);
    expect(quarantine.every((q) => q.raw === (typeof lines[q.line - 1] === 'string' ? lines[q.line - 1] : JSON.stringify(lines[q.line - 1])))).toBe(true);
  });

  it('quarantines a repeated user line, and restores that user once', async () => {
    const c = controlCollections(h.stores.control);
    const users = await c.quarantine.find({ campaignId: report.campaignId, category: 'users' }).toArray();
    expect(users.map((q) => [q.line, q.reason.code, q.reason.message])).toEqual([[6, 'duplicate-conflict', 'repeats the userId of line 2']]);
    const u2 = await c.status.find({ campaignId: report.campaignId, userId: 'u-2' }).toArray();
    expect(u2.map((s) => [s.expected, s.attempts])).toEqual([[2, 1]]);
  });

  it('keeps a live contact newer than the recovered one and replaces an older one', async () => {
    const contacts = h.stores.target.collection('contacts');
    const newer = await contacts.findOne({ _id: liveNewerId });
    expect(newer).toMatchObject({ data: { displayName: 'Inés (edited live)' } });
    expect(newer!.restore).toBeUndefined();
    const older = await contacts.findOne({ _id: liveOlderId });
    expect(older).toMatchObject({ recordId: 'c-51', data: { displayName: 'Jamal (recovered)' }, updatedAt: new Date(OLD) });
    expect(await contacts.countDocuments({ userId: 'u-5' })).toBe(2);
  });

  it('does not insert a contact the user re-entered after the outage', async () => {
    const contacts = h.stores.target.collection('contacts');
    expect(await contacts.countDocuments({ userId: 'u-1', recordId: 'c-4' })).toBe(0);
    expect(await contacts.countDocuments({ userId: 'u-1' })).toBe(2);
  });

  it('records the per-user status of §5', async () => {
    const status = await controlCollections(h.stores.control).status.find({ campaignId: report.campaignId }).toArray();
    const of = (userId: string) => status.find((s) => s.userId === userId);
    const counts = (userId: string) => {
      const { state, expected, received, valid, quarantined, missing, restored, keptLive, duplicates, error } = of(userId)!;
      return { state, expected, received, valid, quarantined, missing, restored, keptLive, duplicates, error };
    };
    expect(status).toHaveLength(5);
    expect(counts('u-1')).toEqual({ state: 'partial', expected: 4, received: 5, valid: 2, quarantined: 3, missing: 0, restored: 1, keptLive: 0, duplicates: 1, error: null });
    expect(counts('u-2')).toEqual({ state: 'partial', expected: 2, received: 2, valid: 1, quarantined: 1, missing: 0, restored: 1, keptLive: 0, duplicates: 0, error: null });
    expect(counts('u-3')).toEqual({ state: 'partial', expected: 3, received: 2, valid: 1, quarantined: 1, missing: 1, restored: 1, keptLive: 0, duplicates: 0, error: null });
    expect(counts('u-4')).toEqual({ state: 'restored', expected: 0, received: 0, valid: 0, quarantined: 0, missing: 0, restored: 0, keptLive: 0, duplicates: 0, error: null });
    expect(counts('u-5')).toEqual({ state: 'restored', expected: 2, received: 2, valid: 2, quarantined: 0, missing: 0, restored: 1, keptLive: 1, duplicates: 0, error: null });
    expect(status.every((s) => s.attempts === 1 && s.updatedAt instanceof Date)).toBe(true);
  });

  it('reports the campaign from the status store', () => {
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users).toMatchObject({ restored: 2, partial: 3, failed: 0, pending: 0 });
    expect(report.categories.contacts!.records).toMatchObject({ expected: 11, received: 11, valid: 6, quarantined: 5, restored: 4, keptLive: 1, duplicates: 1, missing: 1 });
    expect(report.staging.contacts).toEqual({ lines: 14, valid: 6, quarantined: 7, ignored: 1 });
  });

  it('running the same campaign again leaves the live store byte-for-byte the same', async () => {
    const before = await dumpDatabase(h.stores.target);
    const again = await h.runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 3 });
    expect(await dumpDatabase(h.stores.target)).toBe(before);
    expect(again.campaignId).not.toBe(report.campaignId);
    expect(again.categories.contacts!.records).toEqual(report.categories.contacts!.records);
  });
});
