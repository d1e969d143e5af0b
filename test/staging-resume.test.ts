/**
 * Staging is safe to crash half-way: a retry resumes from its last heartbeat, in either
 * pass, and lines staged twice leave what staging them once leaves. What it staged reads
 * back as records only while the file is what it read. Runs the activity against the real
 * store; only the activity context is the SDK's mock environment.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { stagingActivities } from '../activities/staging';
import type { StageInput } from '../workflows/contracts';
import { generateSnapshot } from '../snapshot/generate';
import type { LinePosition } from '../snapshot/line-reader';
import { connectStores, type Stores } from '../store/mongo/connection';
import { controlCollections, type StagingSummary } from '../store/control/control-collections';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv } from './helpers/test-env';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { scanUsers } from '../snapshot/users';
import { readStagedOfUsers, stagedRecords } from '../store/control/staged-reads';

/** Claiming lines held before a chunk is written: few, so that the read pass heartbeats mid-file (and groups of 10 users, so that the judging pass heartbeats between them). */
const FLUSH_ENTRIES = 300;

describe('stageCategory', () => {
  let stores: Stores;
  let snapshotDir: string;

  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('staging'));
    snapshotDir = join(await mkdtemp(join(tmpdir(), 'staging-')), 'snap');
    await generateSnapshot(snapshotDir, { users: 120, seed: 'resume', corruptRate: 0.15 });
  });

  afterAll(async () => {
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  async function stage(campaignId: string, heartbeatDetails?: unknown, flushEntries = FLUSH_ENTRIES, judgedLines?: number) {
    const env = new MockActivityEnvironment({ heartbeatDetails }, { logger: new DefaultLogger('WARN') });
    const beats: { pass: 'read' | 'judge'; position: LinePosition; judged: number }[] = [];
    // Copies: staging heartbeats one progress object, which it goes on changing.
    env.on('heartbeat', (d) => beats.push(structuredClone(d)));
    const input: StageInput = { campaignId, snapshotDir, category: 'contacts', pageLines: 10 };
    const summary: StagingSummary = await env.run(stagingActivities(controlCollections(stores.control), { flushEntries, groupLines: 10, judgedLines }).stageCategory, input);
    return { summary, beats };
  }

  async function stagedState(campaignId: string) {
    const c = controlCollections(stores.control);
    // Ids and pages name the campaign; the rest must be equal.
    const staged = await c.staged.find({ campaignId }).project({ _id: 0, campaignId: 0, page: 0 }).sort({ _id: 1 }).toArray();
    const quarantine = await c.quarantine.find({ campaignId }).project({ _id: 0, campaignId: 0, page: 0 }).sort({ line: 1 }).toArray();
    return { staged, quarantine };
  }

  it('resumed from a heartbeat in either pass, ends as a single clean run does', async () => {
    const clean = await stage('clean');
    const midRead = clean.beats.find((b) => b.pass === 'read' && b.position.line > 0);
    const midJudge = clean.beats.find((b) => b.pass === 'judge' && b.judged > 0);
    expect(clean.beats[clean.beats.length - 1].judged).toBeGreaterThan(midJudge?.judged ?? 0);
    expect(midRead).toBeDefined();
    expect(midJudge).toBeDefined();
    // A first attempt that got as far as the heartbeat, then a retry from there that does
    // again what the first attempt did after it.
    for (const [campaignId, beat] of [
      ['mid-read', midRead],
      ['mid-judge', midJudge],
    ] as const) {
      await stage(campaignId);
      const retried = await stage(campaignId, beat);
      expect(retried.summary).toEqual(clean.summary);
      expect(await stagedState(campaignId)).toEqual(await stagedState('clean'));
    }
    // A retry by a release that writes chunks of another size: the lines it writes again land
    // under other keys beside the first attempt's, and are still judged once.
    await stage('other-release');
    expect((await stage('other-release', midRead, FLUSH_ENTRIES * 2)).summary).toEqual(clean.summary);
    expect(await stagedState('other-release')).toEqual(await stagedState('clean'));
    expect(clean.summary.quarantined).toBeGreaterThan(0);
    expect(clean.summary.ignored).toBeGreaterThan(0);
    expect(clean.summary.valid + clean.summary.quarantined + clean.summary.ignored).toBe(clean.summary.lines);
    // Only staging reads its chunks; they stay until the campaign closes.
    expect(await controlCollections(stores.control).stagingChunks.countDocuments({ run: 'clean' })).toBeGreaterThan(1);
  });

  it('judges as many groups together as memory holds, a larger one alone, and refuses one that does not fit alone', async () => {
    const clean = await stage('clean-memory');
    // Groups of 10 users hold some 110 lines: 150 fits one at a time.
    const narrow = await stage('narrow-memory', undefined, FLUSH_ENTRIES, 150);
    expect(narrow.summary).toEqual(clean.summary);
    expect(await stagedState('narrow-memory')).toEqual(await stagedState('clean-memory'));
    expect(narrow.beats.filter((b) => b.pass === 'judge').length).toBeGreaterThan(clean.beats.filter((b) => b.pass === 'judge').length);
    await expect(stage('no-memory', undefined, FLUSH_ENTRIES, 20)).rejects.toMatchObject({
      name: 'WorkerMemoryError',
      message: expect.stringMatching(
        /^the users of lines 1–10 of users\.ndjson hold \d+ contacts lines, more than this worker judges in memory \(20\); give workers a larger RESTORE_WORKER_HEAP_MIB$/,
      ),
    });
  });

  it('reads back every standing record while the file is unchanged, and fails with SnapshotFileError once a staged line changed', async () => {
    const c = controlCollections(stores.control);
    const { summary } = await stage('read-back');
    const users = [...(await scanUsers(snapshotDir)).ids].map(([userId, line]) => ({ userId, line }));
    const staged = await readStagedOfUsers(c, 'read-back', 'contacts', users, 10);
    const records = await stagedRecords(staged, 'contacts', snapshotDir);
    expect([...records.values()].reduce((n, r) => n + r.length, 0)).toBe(summary.valid);

    // Lines added at the end move no staged line: still read back.
    const file = join(snapshotDir, 'contacts.ndjson');
    const original = await readFile(file);
    await appendFile(file, '{"not":"a record"}\n');
    await expect(stagedRecords(staged, 'contacts', snapshotDir)).resolves.toEqual(records);
    // One letter of a staged line changed in place: its place holds another record now.
    const [[, [[, at]]]] = [...staged.lines];
    const changed = Buffer.from(original);
    const name = changed.indexOf('"displayName":"', at) + '"displayName":"'.length;
    changed[name] = changed[name] === 0x41 ? 0x42 : 0x41;
    await writeFile(file, changed);
    await expect(stagedRecords(staged, 'contacts', snapshotDir)).rejects.toMatchObject({
      name: 'SnapshotChangedError',
      message: expect.stringMatching(/^line \d+ of contacts\.ndjson changed after staging/),
    });
    await writeFile(file, original);
  });
});
