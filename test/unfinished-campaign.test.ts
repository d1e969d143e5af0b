/**
 * A campaign that fails part-way leaves no status behind: none `restoring`, every user an
 * entry for every category, the unreached ones reading why in plain words; and
 * `replay --unfinished` finishes it without staging a new campaign.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelCampaign, pauseCampaign, resumeCampaign, startCampaign, waitForCampaign, waitForProgress } from '../client/campaigns';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const users = Array.from({ length: 6 }, (_, i) => `u-${i + 1}`);

/** A snapshot of one contact per user and `notesOf(i)` notes for the i-th, after `badNotes` lines. */
function contactAndNotes(them: string[], notesOf: (i: number) => number, badNotes: string[] = []): Promise<string> {
  return writeSnapshot({
    users: them.map((userId, i) => ({ userId, expected: { contacts: 1, notes: notesOf(i) } })),
    lines: {
      contacts: them.map((userId) => recordLine(userId, 'c-0', T, { displayName: userId })),
      notes: [...badNotes, ...them.flatMap((userId, i) => Array.from({ length: notesOf(i) }, (_, k) => recordLine(userId, `n-${k}`, T, { body: `note ${k}` })))],
    },
  });
}

describe('a campaign that fails part-way', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('unfinished'));
  });
  afterAll(async () => h?.close());

  it('leaves every user an entry and none restoring, and replay --unfinished restores the rest', async () => {
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 2, notes: 1 } })),
      lines: {
        contacts: users.flatMap((userId) => [0, 1].map((k) => recordLine(userId, `c-${k}`, T, { displayName: `${userId} ${k}` }))),
        notes: users.map((userId) => recordLine(userId, 'n-1', T, { body: `note of ${userId}` })),
      },
    });
    const notes = join(snapshotDir, 'notes.ndjson');
    // The canary of all users pauses the campaign between its waves.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, canary: users.length });
    await expect(
      h.runWorkerUntil(async () => {
        await waitForProgress(h.client, campaignId, (p) => p.paused);
        // The notes file is a directory by the time its wave stages: the data is wrong, the campaign fails.
        await rename(notes, `${notes}.aside`);
        await mkdir(notes);
        await resumeCampaign(h.client, campaignId);
        return waitForCampaign(h.client, campaignId, undefined, 200);
      }),
    ).rejects.toThrow();

    const c = controlCollections(h.stores.control);
    const statuses = await c.status.find({ campaignId }).toArray();
    expect(statuses).toHaveLength(users.length * 2);
    expect(statuses.filter((s) => s.state === 'restoring')).toEqual([]);
    expect(statuses.filter((s) => s.category === 'contacts').map((s) => s.state)).toEqual(users.map(() => 'restored'));
    expect(statuses.filter((s) => s.category === 'notes').map((s) => s.state)).toEqual(users.map(() => 'pending'));

    const status = await cli(['user', 'status', 'u-3'], h.env);
    expect(status.stdout).toMatch(/notes.*not restored: the campaign failed before reaching it: SnapshotFileError/);

    // The file mended, the failed campaign is finished where it stopped.
    await rename(notes, `${notes}.broken`);
    await rename(`${notes}.aside`, notes);
    expect((await cli(['replay', campaignId, '--unfinished', '--all-failed'], h.env)).code).toBe(2);
    const replay = await h.runWorkerUntil(() => cli(['replay', campaignId, '--unfinished', '--json'], h.env));
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).categories).toEqual([{ category: 'notes', users: users.length, outcome: expect.objectContaining({ restored: users.length, failed: 0 }) }]);
    const after = await c.status.find({ campaignId }).toArray();
    expect(after.filter((s) => s.state !== 'restored')).toEqual([]);
    expect(await h.stores.target.collection('notes').countDocuments()).toBe(users.length);
    expect(await h.stores.target.collection('contacts').countDocuments()).toBe(users.length * 2);
  }, 180_000);
  it('a batch terminated mid-wave fails the campaign, not wedges it, and leaves every user an entry', async () => {
    // Users of their own: the live store keeps the first test's.
    const them = users.map((u) => u.replace('u-', 'v-'));
    const snapshotDir = await writeSnapshot({
      users: them.map((userId) => ({ userId, expected: { contacts: 2, notes: 1 } })),
      lines: {
        contacts: them.flatMap((userId) => [0, 1].map((k) => recordLine(userId, `c-${k}`, T, { displayName: `${userId} ${k}` }))),
        notes: them.map((userId) => recordLine(userId, 'n-1', T, { body: `note of ${userId}` })),
      },
    });
    // Scoped, so that its batches are its first readers of the snapshot; they wait for it while it is away.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], userIds: them, batchSize: 2, concurrency: 1 });
    const away = `${snapshotDir}.away`;
    // Paused before its first batch: once the snapshot is away, the first batch to start is the one that waits.
    await pauseCampaign(h.client, campaignId);
    await expect(
      h.runWorkerUntil(async () => {
        await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring' && p.paused);
        await rename(snapshotDir, away);
        await resumeCampaign(h.client, campaignId);
        await waitForProgress(h.client, campaignId, (p) => /snapshot cannot be read/.test(p.pausedReason ?? ''));
        // An engineer terminates the batch that waits: the campaign fails with it, at once.
        await h.client.workflow.getHandle(`${campaignId}-contacts-0`).terminate('test: an engineer stops a batch');
        await rename(away, snapshotDir);
        return waitForCampaign(h.client, campaignId, undefined, 200);
      }),
    ).rejects.toThrow();

    const c = controlCollections(h.stores.control);
    expect((await c.campaigns.findOne({ _id: campaignId }))!.state).toBe('failed');
    const statuses = await c.status.find({ campaignId }).toArray();
    expect(statuses).toHaveLength(them.length * 2);
    expect(statuses.filter((s) => s.state === 'restoring')).toEqual([]);
    const replay = await h.runWorkerUntil(() => cli(['replay', campaignId, '--unfinished', '--json'], h.env));
    expect(replay.code).toBe(0);
    expect((await c.status.find({ campaignId }).toArray()).filter((s) => s.state !== 'restored')).toEqual([]);
    expect(await h.stores.target.collection('contacts').countDocuments()).toBe((users.length + them.length) * 2);
  }, 180_000);

  it('a campaign cancelled in a later wave while its snapshot is away still ends, its later entries written from the first wave', async () => {
    const them = users.map((u) => u.replace('u-', 'w-'));
    // A damaged line: the notes wave pauses before it starts, its share of quarantined lines above the limit.
    const snapshotDir = await contactAndNotes(them, (i) => i % 3, ['{not json']);
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, maxQuarantineRate: 0.1 });
    const away = `${snapshotDir}.away`;
    await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.paused);
      // The storage goes away, and incident staff cancel: the close needs the control store alone.
      await rename(snapshotDir, away);
      await cancelCampaign(h.client, campaignId);
    });
    await rename(away, snapshotDir);
    const c = controlCollections(h.stores.control);
    expect((await c.campaigns.findOne({ _id: campaignId }))!.state).toBe('cancelled');
    const statuses = await c.status.find({ campaignId, category: 'notes' }).sort({ userId: 1 }).toArray();
    expect(statuses.map((s) => [s.userId, s.state, s.expected, s.missing])).toEqual(them.map((userId, i) => [userId, 'pending', i % 3, i % 3]));
    const status = await cli(['user', 'status', 'w-2'], h.env);
    expect(status.stdout).toMatch(/notes.*not restored: the campaign was cancelled before reaching it \(1 record\(s\) expected\)/);
  }, 180_000);

  it('a campaign cancelled in its first wave while its snapshot is away waits for it, then ends with every user an entry', async () => {
    const them = users.map((u) => u.replace('u-', 'x-'));
    const snapshotDir = await contactAndNotes(them, () => 1);
    // A canary of two: the first wave pauses with the other users unreached, whom only users.ndjson names.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, canary: 2 });
    const away = `${snapshotDir}.away`;
    const c = controlCollections(h.stores.control);
    await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.paused);
      await rename(snapshotDir, away);
      const cancelled = cancelCampaign(h.client, campaignId);
      // The close waits for the storage rather than failing: the campaign is still open meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await c.campaigns.findOne({ _id: campaignId }))!.state).toBe('running');
      await rename(away, snapshotDir);
      await cancelled;
    });
    expect((await c.campaigns.findOne({ _id: campaignId }))!.state).toBe('cancelled');
    const statuses = await c.status.find({ campaignId }).toArray();
    expect(statuses).toHaveLength(them.length * 2);
    expect(statuses.filter((s) => s.state === 'restored').map((s) => `${s.userId} ${s.category}`)).toEqual(['x-1 contacts', 'x-2 contacts']);
  }, 180_000);
});
