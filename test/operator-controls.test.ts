/**
 * The operator's hand on a running campaign, on the real stack: a canary that pauses the
 * campaign after its first users, a pause before a wave with too much quarantined, pause
 * and resume, changes of pace the campaign accepts or refuses, and a cancel that leaves
 * every status consistent.
 */
import { campaignProgress, cancelCampaign, pauseCampaign, resumeCampaign, setCampaignPace, startCampaign, waitForCampaign, waitForProgress } from '../client/campaigns';
import type { Category } from '../domain/categories';
import { InputError } from '../domain/errors';
import { campaignReport } from '../store/control/campaign-report';
import { controlCollections, type ControlCollections } from '../store/control/control-collections';
import { userStatus } from '../store/control/status-reader';
import type { CampaignProgress } from '../workflows';
import { cli, type CliResult } from './helpers/cli';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';

/** A snapshot of `n` users named `prefix`-NN with one contact and one note each; `badContacts` of the contact lines are not JSON. */
function snapshotOf(prefix: string, n: number, badContacts = 0) {
  const users = Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
  return writeSnapshot({
    users: users.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
    lines: {
      contacts: users.map((u, i) => (i < badContacts ? `{"userId": "${u}", broken` : recordLine(u, `c-${u}`, T, { displayName: `Contact of ${u}` }))),
      notes: users.map((u) => recordLine(u, `n-${u}`, T, { title: 'note', body: `Note of ${u}` })),
    },
  });
}

describe('operator controls', () => {
  let h: Harness;
  let c: ControlCollections;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('controls'));
    c = controlCollections(h.stores.control);
  });
  afterAll(async () => h?.close());

  const until = (campaignId: string, done: (p: CampaignProgress) => boolean) => waitForProgress(h.client, campaignId, done);

  const restoredUsers = async (campaignId: string, category: Category) => (await c.status.find({ campaignId, category, state: 'restored' }).toArray()).map((s) => s.userId).sort();

  it('a canary restores the first wave for N users, pauses itself, and goes on to the end once resumed', async () => {
    const snapshotDir = await snapshotOf('u', 10);
    // Pages of 3: the canary of 4 ends inside the second page, whose rest follows the resume.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 3, concurrency: 2, canary: 4 });
    const report = await h.runWorkerUntil(async () => {
      const paused = await until(campaignId, (p) => p.paused);
      expect(paused.pausedReason).toMatch(/^canary done: contacts restored for 4 users/);
      expect(paused.batchesRunning).toBe(0);
      expect(paused.tallies).toEqual([
        expect.objectContaining({
          category: 'contacts',
          users: { restored: 4, partial: 0, failed: 0 },
          records: { restored: 4, keptLive: 0, duplicates: 0, quarantined: 0, missing: 0 },
        }),
      ]);
      expect(await restoredUsers(campaignId, 'contacts')).toEqual(['u-01', 'u-02', 'u-03', 'u-04']);
      expect(await restoredUsers(campaignId, 'notes')).toEqual([]);
      expect(await h.stores.target.collection('contacts').countDocuments({ 'restore.campaignId': campaignId })).toBe(4);
      await resumeCampaign(h.client, campaignId);
      return waitForCampaign(h.client, campaignId, undefined, 200);
    });
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users.restored).toBe(10);
    expect(report.categories.notes!.users.restored).toBe(10);
    expect(await h.stores.target.collection('contacts').countDocuments({ 'restore.campaignId': campaignId })).toBe(10);
    expect((await c.status.find({ campaignId }).toArray()).every((s) => s.attempts === 1)).toBe(true);
  });

  it('pauses before a wave whose quarantined share passes the limit, and a cancel then leaves every user pending, saying why', async () => {
    const snapshotDir = await snapshotOf('q', 6, 2);
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], maxQuarantineRate: 0.2 });
    await h.runWorkerUntil(async () => {
      const paused = await until(campaignId, (p) => p.paused);
      expect(paused.pausedReason).toMatch(/^33\.3% of the contacts records \(2 of 6\) are quarantined, above the limit of 20\.0%/);
      await cancelCampaign(h.client, campaignId);
    });
    expect(await h.stores.target.collection('contacts').countDocuments({ 'restore.campaignId': campaignId })).toBe(0);
    const report = (await campaignReport(c, campaignId))!;
    expect(report.state).toBe('cancelled');
    // The batches never started, yet every user has its entry in each category, pending.
    for (const category of ['contacts', 'notes'] as const) expect(report.categories[category]!.users).toMatchObject({ pending: 6, restoring: 0, restored: 0 });
    const status = await userStatus(c, 'q-03', campaignId);
    expect(status.campaigns[0].campaignState).toBe('cancelled');
    expect(status.campaigns[0].categories.contacts).toMatchObject({ state: 'pending', expected: 1 });
  });

  it('pauses and resumes on demand, refuses a bad change of pace and applies a good one, and a cancel mid-way leaves no user restoring', async () => {
    const snapshotDir = await snapshotOf('p', 12);
    // Two records a second: batches of two users start a second apart, slow enough to act on.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, concurrency: 1, maxRecordsPerSecond: 2 });
    let watched: Promise<CliResult> | undefined;
    await h.runWorkerUntil(async () => {
      await until(campaignId, (p) => p.outcome.restored >= 2);
      // Followed from another process until it ends: plain lines, its output being no terminal.
      watched = cli(['campaign', 'status', campaignId, '--watch'], h.env);

      await expect(setCampaignPace(h.client, campaignId, { concurrency: 0 })).rejects.toThrow(
        new InputError(`campaign ${campaignId} refused the change: concurrency must be a whole number from 1 to 64`),
      );
      const cliRefusal = await cli(['campaign', 'set', campaignId, '--max-records-per-second', '-5'], h.env);
      expect(cliRefusal.code).toBe(2);
      // The CLI refuses it before asking the campaign (whose own validator refused the concurrency above).
      expect(cliRefusal.stderr).toMatch(/^restorectl: the ceiling on records per second must be a number above 0/);
      expect((await campaignProgress(h.client, campaignId))!.pace).toEqual({ concurrency: 1, maxRecordsPerSecond: 2 });

      await pauseCampaign(h.client, campaignId);
      const paused = await until(campaignId, (p) => p.paused && p.batchesRunning === 0);
      expect(paused.pausedReason).toBe('paused by the operator');
      const whilePaused = paused.outcome.restored;
      // Nothing to wait for here but time: long enough for a running campaign at this pace to start two
      // batches. A slow machine can only make this pass more easily, never fail it falsely.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await campaignProgress(h.client, campaignId))!.outcome.restored).toBe(whilePaused);

      const set = await cli(['campaign', 'set', campaignId, '--concurrency', '2', '--max-records-per-second', '1.5', '--json'], h.env);
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout).pace).toEqual({ concurrency: 2, maxRecordsPerSecond: 1.5 });
      expect((await campaignProgress(h.client, campaignId))!.pace).toEqual({ concurrency: 2, maxRecordsPerSecond: 1.5 });

      await resumeCampaign(h.client, campaignId);
      await until(campaignId, (p) => p.outcome.restored > whilePaused);
      await cancelCampaign(h.client, campaignId);
    });
    const statuses = await c.status.find({ campaignId }).toArray();
    expect(statuses.filter((s) => s.state === 'restoring')).toEqual([]);
    // Every user has its entry in both categories: restored where a batch reached it, pending elsewhere.
    expect(statuses).toHaveLength(24);
    const contacts = statuses.filter((s) => s.category === 'contacts');
    expect(contacts.filter((s) => s.state === 'restored').length).toBeGreaterThan(2);
    expect(contacts.filter((s) => s.state === 'pending').length).toBeGreaterThan(0);
    // What a status calls restored is in the live store, once.
    expect(await h.stores.target.collection('contacts').countDocuments({ 'restore.campaignId': campaignId })).toBe(contacts.filter((s) => s.state === 'restored').length);
    expect((await campaignReport(c, campaignId))!.state).toBe('cancelled');
    const watch = await watched!;
    expect(watch.code).toBe(0);
    expect(watch.stderr).toMatch(/^ {2}contacts: \d+ of 12 users \| \d+ records\/s \| 0 quarantined, 0 users failed, 0 kept live, 0 duplicates \| ETA \d+ s$/m);
    expect(watch.stderr).toMatch(/PAUSED \(paused by the operator\)/);
    expect(watch.stdout).toMatch(/cancelled/);
  });

  it('refuses to act on a campaign that is not running, with exit code 2', async () => {
    const result = await cli(['campaign', 'pause', 'c-no-such-campaign'], h.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no campaign c-no-such-campaign/);
  });
});
