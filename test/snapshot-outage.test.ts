/**
 * The snapshot's storage goes away under a running campaign (its directory moved away, as
 * when a network mount drops) and comes back. The campaign pauses itself with the reason,
 * waits, and completes by itself once it is back: no user failed, every record restored
 * once. Separately: mid-wave, with batches reading back their lines, and while a wave stages.
 * And a snapshot that comes back as another one is named so, and not restored from.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startCampaign, waitForCampaign, waitForProgress } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { controlCollections } from '../store/control/control-collections';
import { type campaignWorkflow, pauseSignal, resumeSignal } from '../workflows';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const USERS = 12;
const PER_USER = 3;
/** How long the snapshot stays away: as long as the outage seen in the field (issue 16), long past any step's retries. */
const OUTAGE_MS = 45_000;

const users = Array.from({ length: USERS }, (_, i) => `u-${i + 1}`);
const spec = () => ({
  users: users.map((userId) => ({ userId, expected: { contacts: PER_USER, notes: 1 } })),
  lines: {
    contacts: users.flatMap((userId) => Array.from({ length: PER_USER }, (_, k) => recordLine(userId, `c-${k}`, T, { displayName: `${userId} contact ${k}` }))),
    notes: users.map((userId) => recordLine(userId, 'n-1', T, { body: `note of ${userId}` })),
  },
});

describe('a snapshot whose storage goes away and comes back', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('snapoutage'));
  });
  afterAll(async () => h?.close());

  /** Moves the snapshot away, waits until the campaign says it waits for it, keeps it away a while, and puts it back. */
  async function outage(campaignId: string, snapshotDir: string, during: () => Promise<void>): Promise<string> {
    const away = `${snapshotDir}.away-${randomBytes(3).toString('hex')}`;
    await rename(snapshotDir, away);
    await during();
    const seen = await waitForProgress(h.client, campaignId, (p) => p.paused && /snapshot cannot be read/.test(p.pausedReason ?? ''));
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await rename(away, snapshotDir);
    return seen.pausedReason!;
  }

  /** Every user's categories restored once, none failed, and no record twice in the live store. */
  async function expectAllBack(campaignId: string, categories: string[]) {
    const statuses = await controlCollections(h.stores.control).status.find({ campaignId }).toArray();
    expect(statuses.filter((s) => s.state !== 'restored').map((s) => [s.userId, s.category, s.state, s.error])).toEqual([]);
    expect(statuses).toHaveLength(USERS * categories.length);
    for (const category of categories) {
      const docs = await h.stores.target.collection(category).find({}).toArray();
      const keys = docs.map((d) => `${d.userId}/${d.recordId}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toHaveLength(USERS * (category === 'contacts' ? PER_USER : 1));
    }
  }

  it('mid-wave: batches that cannot read their lines wait, the campaign says why, and completes once it is back', async () => {
    const snapshotDir = await writeSnapshot(spec());
    // Scoped, so that its pages come from the control store and its batches are the first to read the snapshot.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'], userIds: users, batchSize: 4, concurrency: 2 });
    const handle: WorkflowHandle<typeof campaignWorkflow> = h.client.workflow.getHandle(campaignWorkflowId(campaignId));
    await handle.signal(pauseSignal);
    const report = await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring' && p.paused);
      const reason = await outage(campaignId, snapshotDir, () => handle.signal(resumeSignal));
      expect(reason).toMatch(/^the snapshot cannot be read: \S+ cannot be read \(ENOENT\) \(\d step\(s\) waiting for it/);
      return waitForCampaign(h.client, campaignId, undefined, 200);
    });
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users).toMatchObject({ restored: USERS, failed: 0 });
    await expectAllBack(campaignId, ['contacts']);
  }, 300_000);

  it('while a wave stages: the campaign waits, says why, and stages and restores it once it is back', async () => {
    const snapshotDir = await writeSnapshot(spec());
    // The canary of all users pauses the campaign between its waves: the snapshot goes away then.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], canary: USERS, batchSize: 4 });
    const handle: WorkflowHandle<typeof campaignWorkflow> = h.client.workflow.getHandle(campaignWorkflowId(campaignId));
    const report = await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.paused && /^canary done/.test(p.pausedReason ?? ''));
      await outage(campaignId, snapshotDir, () => handle.signal(resumeSignal));
      return waitForCampaign(h.client, campaignId, undefined, 200);
    });
    expect(report.state).toBe('completed');
    await expectAllBack(campaignId, ['contacts', 'notes']);
  }, 300_000);

  it('a snapshot that comes back as another one is named so, and the campaign waits for its own', async () => {
    const snapshotDir = await writeSnapshot(spec());
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'], userIds: users, batchSize: 4 });
    const handle: WorkflowHandle<typeof campaignWorkflow> = h.client.workflow.getHandle(campaignWorkflowId(campaignId));
    await handle.signal(pauseSignal);
    const manifest = join(snapshotDir, 'manifest.json');
    const original = await readFile(manifest, 'utf8');
    const report = await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring' && p.paused);
      const away = `${snapshotDir}.away`;
      await rename(snapshotDir, away);
      await handle.signal(resumeSignal);
      await waitForProgress(h.client, campaignId, (p) => /snapshot cannot be read/.test(p.pausedReason ?? ''));
      await writeFile(join(away, 'manifest.json'), original.replace('test-snapshot', 'another-snapshot'));
      await rename(away, snapshotDir);
      const changed = await waitForProgress(h.client, campaignId, (p) => /came back changed/.test(p.pausedReason ?? ''));
      expect(changed.pausedReason).toMatch(/its manifest names snapshot another-snapshot, not test-snapshot/);
      await writeFile(manifest, original);
      return waitForCampaign(h.client, campaignId, undefined, 200);
    });
    expect(report.state).toBe('completed');
    await expectAllBack(campaignId, ['contacts']);
  }, 300_000);
});
