/**
 * A campaign over a hostile snapshot (test/helpers/hostile-snapshot.ts) on the real
 * stack: every line ends exactly as it must (restored, or quarantined with its reason),
 * the counts of every user add up, and no single bad line fails the campaign.
 */
import { GridFSBucket } from 'mongodb';
import { CATEGORIES } from '../domain/categories';
import { verifySnapshot } from '../snapshot/verify';
import type { CampaignReport } from '../store/control/campaign-report';
import { controlCollections, type QuarantineDoc } from '../store/control/control-collections';
import { RAW_LINE_LIMIT } from '../store/control/quarantine';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { type HostileSnapshot, writeHostileSnapshot } from './helpers/hostile-snapshot';
import { isolatedEnv } from './helpers/test-env';

describe('a campaign over a hostile snapshot', () => {
  let h: Harness;
  let snapshot: HostileSnapshot;
  let report: CampaignReport;
  let quarantine: QuarantineDoc[];

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('hostile'));
    snapshot = await writeHostileSnapshot();
    report = await h.runCampaign({ snapshotDir: snapshot.dir, categories: snapshot.categories, batchSize: 2 });
    quarantine = await controlCollections(h.stores.control).quarantine.find({ campaignId: report.campaignId }).toArray();
  }, 300_000);
  afterAll(async () => h?.close());

  it('completes every wave, with no user failed', () => {
    expect(report.state).toBe('completed');
    for (const category of snapshot.categories) expect(report.categories[category]!.users).toMatchObject({ failed: 0, pending: 0, restoring: 0 });
  });

  it('ends every record line as required: restored, or quarantined with its reason', async () => {
    for (const category of snapshot.categories) {
      const live = new Set(
        (
          await h.stores.target
            .collection(category)
            .find({}, { projection: { recordId: 1 } })
            .toArray()
        ).map((d) => d.recordId),
      );
      const reasons = new Map(quarantine.filter((q) => q.category === category && q.recordId).map((q) => [q.recordId, q.reason.code]));
      for (const [recordId, expected] of Object.entries(snapshot.outcomes[category]!)) {
        const outcome = live.has(recordId) ? 'restored' : (reasons.get(recordId) ?? 'vanished');
        if ('restored' in expected) expect(`${category}/${recordId}: ${outcome}`).toBe(`${category}/${recordId}: restored`);
        else if ('quarantined' in expected) expect(`${category}/${recordId}: ${outcome}`).toBe(`${category}/${recordId}: ${expected.quarantined}`);
        else expect([`${category}/${recordId}: restored`, `${category}/${recordId}: ${expected.restoredOrQuarantined}`]).toContain(`${category}/${recordId}: ${outcome}`);
      }
    }
  });

  it('adds up the counts of every user and category (docs/design.md §5)', async () => {
    const statuses = await controlCollections(h.stores.control).status.find({ campaignId: report.campaignId }).toArray();
    expect(statuses).toHaveLength(3 * snapshot.categories.length);
    for (const s of statuses) {
      const label = `${s.userId}/${s.category}`;
      expect([label, s.valid + s.quarantined]).toEqual([label, s.received]);
      expect([label, s.restored + s.keptLive + s.duplicates]).toEqual([label, s.valid]);
      expect([label, s.missing]).toEqual([label, Math.max(0, s.expected - s.received)]);
    }
  });

  it('keeps a line with a raw NUL byte in quarantine, as base64 of its bytes', () => {
    const entry = quarantine.find((q) => q.category === 'contacts' && q.line === snapshot.nulByteLine.line)!;
    expect(entry).toMatchObject({ reason: { code: 'invalid-json' }, rawEncoding: 'base64', rawTruncated: false });
    expect(Buffer.from(entry.raw, 'base64').toString('utf8')).toBe(snapshot.nulByteLine.text);
  });

  it('keeps a 50 MB line cut to the raw limit', () => {
    const entry = quarantine.find((q) => q.recordId === 'n-huge')!;
    expect(entry).toMatchObject({ rawEncoding: 'text', rawTruncated: true });
    expect(entry.raw).toHaveLength(RAW_LINE_LIMIT);
  });

  it('reads past a byte-order mark: the first user and the first line of a file stand', () => {
    expect(quarantine.filter((q) => q.category === 'users')).toEqual([]);
    expect(report.users).toBe(3);
  });

  it('uploads no blob but the regular file inside blobs/', async () => {
    const files = await new GridFSBucket(h.stores.target, { bucketName: 'photos' }).find({}).toArray();
    expect(files.map((f) => f.filename)).toEqual([snapshot.goodBlob]);
  });

  it('is judged the same by snapshot verify, which writes nothing and reads no blob that is not a regular file', async () => {
    const verdict = await verifySnapshot(snapshot.dir);
    expect(verdict.users).toEqual({ valid: 3, quarantined: 0 });
    expect(verdict.unknownExpectedKeys).toEqual({ contcts: 1 });
    expect(verdict.categories.photos.reasons).toEqual({ 'blob-not-regular': 4 });
    expect(verdict.categories.contacts).toMatchObject({ valid: 3, quarantined: 1, reasons: { 'invalid-json': 1 } });
    // Without a store, nothing refuses the U+0000 note: only the 50 MB line is quarantined.
    expect(verdict.categories.notes).toMatchObject({ valid: 37, quarantined: 1, reasons: { schema: 1 } });
  });

  it('reports expected counts under names that are no category', () => {
    expect(report.unknownExpectedKeys).toEqual({ contcts: 1 });
    expect(Object.keys(report.categories).every((c) => (CATEGORIES as readonly string[]).includes(c))).toBe(true);
  });
});
