/**
 * `restorectl undo`: after a campaign with a keep-newer replacement, inserts and photos, and
 * the application editing one restored document, an undo takes back what the users have not
 * changed and nothing else; a second undo changes nothing; an undo whose activity is lost
 * after its work completes with the right counts.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createActivities } from '../activities';
import { sha256Hex } from '../domain/digest';
import { controlCollections } from '../store/control/control-collections';
import { campaignReport } from '../store/control/campaign-report';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { Context } from '@temporalio/activity';
import { cli } from './helpers/cli';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';
import { storedEvents } from './helpers/outbox';

const OLDER = new Date('2009-09-01T00:00:00Z');
const RECOVERED_AT = '2009-09-30T18:02:11Z';
const blobA = Buffer.from('photo of u-1');
const blobB = Buffer.from('photo of u-2');
const photo = (b: Buffer, name: string) => ({ filename: name, mimeType: 'image/png', bytes: b.length, sha256: sha256Hex(b) });

describe('undo', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('undo'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
  });
  afterAll(async () => h?.close());

  /** Every document of the live collections and blob buckets, as JSON, sorted: what "nothing else changed" compares. */
  async function fingerprint(): Promise<string[]> {
    const docs: string[] = [];
    for (const name of ['contacts', 'notes', 'photos', 'photos.files', 'photos.chunks']) {
      for (const d of await h.stores.target.collection(name).find({}).toArray()) docs.push(`${name} ${JSON.stringify(d)}`);
    }
    return docs.sort();
  }

  it('takes back what the users did not change, puts replaced versions back, keeps edits, removes orphan blobs, and is idempotent', async () => {
    const contacts = h.stores.target.collection('contacts');
    // The live store after the outage: u-1's older contact (replaced under keep-newer), u-3's own note (not the campaign's).
    await contacts.insertOne({ userId: 'u-1', recordId: 'c-1', updatedAt: OLDER, data: { displayName: 'live, older' } });
    await h.stores.target.collection('notes').insertOne({ userId: 'u-3', recordId: 'n-own', updatedAt: OLDER, data: { title: 'mine', body: 'typed after the outage' } });
    const before = await fingerprint();
    const snapshotDir = await writeSnapshot({
      users: ['u-1', 'u-2', 'u-3'].map((userId) => ({ userId, expected: { contacts: 1, notes: 1, photos: 1 } })),
      lines: {
        contacts: [
          recordLine('u-1', 'c-1', RECOVERED_AT, { displayName: 'recovered' }),
          recordLine('u-2', 'c-1', RECOVERED_AT, { displayName: 'recovered' }),
          recordLine('u-3', 'c-1', RECOVERED_AT, { displayName: 'recovered' }),
        ],
        notes: [recordLine('u-3', 'n-1', RECOVERED_AT, { title: 'note', body: 'recovered' })],
        photos: [recordLine('u-1', 'p-1', RECOVERED_AT, photo(blobA, 'a.png')), recordLine('u-2', 'p-1', RECOVERED_AT, photo(blobB, 'b.png'))],
      },
      blobs: [blobA, blobB],
    });
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts', 'notes', 'photos'] });
    expect(report.state).toBe('completed');
    const { campaignId } = report;
    expect(await h.stores.target.collection('photos.files').countDocuments()).toBe(2);
    // The application edits u-2's restored contact after the campaign.
    await contacts.updateOne({ userId: 'u-2', recordId: 'c-1' }, { $set: { 'data.displayName': 'edited by u-2' } });
    const edited = await contacts.findOne({ userId: 'u-2', recordId: 'c-1' });

    // A dry run counts and changes nothing.
    const afterCampaign = await fingerprint();
    const dry = await h.runWorkerUntil(() => cli(['undo', campaignId, '--dry-run', '--json'], h.env));
    expect(JSON.parse(dry.stdout).categories.find((c: { category: string }) => c.category === 'contacts')).toMatchObject({ removed: 1, putBack: 1, keptChanged: 1 });
    expect(await fingerprint()).toEqual(afterCampaign);

    // The undo's activity is lost once after its work (as a worker killed before it reported): it completes, counting right.
    const activities = createActivities(h.stores);
    const lost = new Set<string>();
    const undoCategory: typeof activities.undoCategory = async (input) => {
      const outcome = await activities.undoCategory(input);
      if (!input.dryRun && !lost.has(input.category) && Context.current().info.attempt === 1) {
        lost.add(input.category);
        throw ApplicationFailure.retryable('the worker was lost before it reported', 'UnexpectedError');
      }
      return outcome;
    };
    const undone = await withActivities(h, { ...activities, undoCategory }, async () => {
      const run = await cli(['undo', campaignId, '--json'], h.env);
      expect([run.code, run.stderr]).toEqual([0, '']);
      return JSON.parse(run.stdout);
    });
    expect(undone.categories.map((c: Record<string, unknown>) => [c.category, c.removed, c.putBack, c.keptChanged, c.blobsRemoved])).toEqual([
      ['photos', 2, 0, 0, 2],
      ['notes', 1, 0, 0, 0],
      ['contacts', 1, 1, 1, 0],
    ]);
    // What the users did not touch is as it was before the campaign; the edit is kept.
    expect(await fingerprint()).toEqual([...before, `contacts ${JSON.stringify(edited)}`].sort());
    const c = controlCollections(h.stores.control);
    expect(await c.status.findOne({ campaignId, userId: 'u-1', category: 'contacts' })).toMatchObject({ state: 'undone', undo: { removed: 0, putBack: 1, keptChanged: 0 } });
    expect(await c.status.findOne({ campaignId, userId: 'u-2', category: 'contacts' })).toMatchObject({ state: 'undone', undo: { removed: 0, putBack: 0, keptChanged: 1 } });
    expect((await storedEvents(c, campaignId)).filter((e) => e.state === 'undone')).toHaveLength(9);
    // The report the campaign closed with gave way to its statuses: every user-category undone.
    expect((await campaignReport(c, campaignId))!.categories.contacts!.users).toMatchObject({ undone: 3, restored: 0 });
    const words = await cli(['user', 'status', 'u-2', '--campaign', campaignId], h.env);
    expect(words.stdout).toMatch(/^ {2}contacts {2}undone: the restore was taken back \(0 record\(s\) removed, 0 put back as they were, 1 kept as the user changed them since\)$/m);

    // A second undo changes nothing.
    const again = await h.runWorkerUntil(() => cli(['undo', campaignId, '--json'], h.env));
    expect(JSON.parse(again.stdout).categories.map((x: Record<string, number>) => x.removed + x.putBack)).toEqual([0, 0, 0]);
    expect(await fingerprint()).toEqual([...before, `contacts ${JSON.stringify(edited)}`].sort());
    expect(await c.status.findOne({ campaignId, userId: 'u-1', category: 'contacts' })).toMatchObject({ undo: { removed: 0, putBack: 1, keptChanged: 0 } });
    expect((await c.audit.find({ campaignId }).toArray()).map((a) => a.action).sort()).toEqual(['undo', 'undo', 'undo-dry-run']);

    // An undo of a running or unknown campaign is refused as bad input.
    expect((await cli(['undo', 'c-no-such-campaign'], h.env)).code).toBe(2);
  }, 180_000);
});
