/**
 * When a batch runs out of retries its users are marked `failed` with the cause, and the
 * campaign goes on and completes. Also drives pause and resume: the campaign is paused
 * before its first batch, the blob it needs is taken away, then it is resumed.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { sha256Hex } from '../domain/digest';
import { controlCollections } from '../store/control/control-collections';
import { type campaignWorkflow, pauseSignal, progressQuery, resumeSignal } from '../workflows';
import { createRestoreWorker } from '../worker/worker';
import { createHarness, type Harness, workflowBundle } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const blob = Buffer.from('a photo that will go missing');
const photo = { filename: 'gone.png', mimeType: 'image/png', bytes: blob.length, sha256: sha256Hex(blob) };
const kept = Buffer.from('a photo that stays');
const keptPhoto = { filename: 'kept.png', mimeType: 'image/png', bytes: kept.length, sha256: sha256Hex(kept) };

describe('a batch whose retries run out', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('failed'));
  });
  afterAll(async () => h?.close());

  it('narrows the failure down to the user it belongs to and marks only that one failed, with the cause; the campaign completes, and `failures` groups them by cause', async () => {
    // u-2's photo line carries a digest that does not match its data: quarantined, not failed.
    // u-1's blob goes missing: the one batch of all four fails until it is split down to u-1.
    const snapshotDir = await writeSnapshot({
      users: [
        { userId: 'u-1', expected: { photos: 1 } },
        { userId: 'u-2', expected: { photos: 1 } },
        { userId: 'u-3', expected: { photos: 1 } },
        { userId: 'u-4', expected: { photos: 1 } },
      ],
      lines: {
        photos: [
          recordLine('u-1', 'p-1', T, photo),
          { ...recordLine('u-2', 'p-2', T, photo), sha256: sha256Hex('not this') },
          recordLine('u-3', 'p-3', T, keptPhoto),
          recordLine('u-4', 'p-4', T, keptPhoto),
        ],
      },
      blobs: [blob, kept],
    });
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['photos'] });
    const handle = h.client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
    // Paused before any worker has run it: it opens and stages, then waits before its first batch.
    await handle.signal(pauseSignal);

    const { worker, close } = await createRestoreWorker(h.env, { workflowBundle: await workflowBundle() });
    try {
      const report = await worker.runUntil(async () => {
        let progress = await handle.query(progressQuery);
        while (progress.phase !== 'restoring' || !progress.paused) {
          await new Promise((r) => setTimeout(r, 200));
          progress = await handle.query(progressQuery);
        }
        expect(progress.batchesRunning).toBe(0);
        await unlink(join(snapshotDir, 'blobs', photo.sha256));
        await handle.signal(resumeSignal);
        return waitForCampaign(h.client, campaignId, undefined, 500);
      });
      expect(report.state).toBe('completed');
      expect(report.categories.photos!.users).toMatchObject({ failed: 1, restored: 2, partial: 1 });
    } finally {
      await close();
    }

    const status = await controlCollections(h.stores.control).status.findOne({ campaignId, userId: 'u-1', category: 'photos' });
    // A blob gone from the snapshot does not come back by retrying: one attempt, the cause named, and what the snapshot held.
    expect(status).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { class: 'SnapshotFileError', message: expect.stringContaining('is missing') },
      expected: 1,
      received: 1,
      valid: 1,
      quarantined: 0,
      missing: 0,
    });
    // Only the user at fault is failed: the others of its batch end as they would have.
    const others = await controlCollections(h.stores.control)
      .status.find({ campaignId, userId: { $ne: 'u-1' } }, { sort: { userId: 1 } })
      .toArray();
    expect(others.map((s) => [s.userId, s.state, s.error])).toEqual([
      ['u-2', 'partial', null],
      ['u-3', 'restored', null],
      ['u-4', 'restored', null],
    ]);
    expect(
      (
        await h.stores.target
          .collection('photos')
          .find({}, { sort: { recordId: 1 } })
          .toArray()
      ).map((d) => d.recordId),
    ).toEqual(['p-3', 'p-4']);

    const failures = await cli(['failures', campaignId, '--json'], h.env);
    expect(failures.code).toBe(0);
    expect(JSON.parse(failures.stdout)).toEqual({
      campaignId,
      category: null,
      failed: [{ category: 'photos', errorClass: 'SnapshotFileError', count: 1, message: expect.stringContaining('is missing'), exampleUserIds: ['u-1'] }],
      quarantined: [{ category: 'photos', reason: 'digest-mismatch', count: 1, message: expect.any(String), examples: [{ userId: 'u-2', line: 2 }] }],
    });
    const text = await cli(['failures', campaignId, '--category', 'photos'], h.env);
    expect(text.stdout).toMatch(/^photos\s+SnapshotFileError\s+1\s+u-1\s/m);
    expect(text.stdout).toMatch(/^photos\s+digest-mismatch\s+1\s+u-2@2\s/m);
    const other = await cli(['failures', campaignId, '--category', 'contacts', '--json'], h.env);
    expect(JSON.parse(other.stdout)).toMatchObject({ failed: [], quarantined: [] });
    expect((await cli(['failures', 'c-no-such-campaign'], h.env)).code).toBe(2);
  }, 120_000);

  it('a campaign whose snapshot stops being one after the start check fails at once, and its status names the cause', async () => {
    const snapshotDir = await writeSnapshot({ users: [{ userId: 'u-1', expected: { contacts: 1 } }], lines: { contacts: [recordLine('u-1', 'c-1', T, { displayName: 'Ana' })] } });
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'] });
    // Readable, but no longer a manifest: the data is wrong, nothing to wait for (a file gone is waited out: snapshot-outage.test.ts).
    await writeFile(join(snapshotDir, 'manifest.json'), '{"format": "restore-snapshot/v1", "snapshotId"');
    const { worker, close } = await createRestoreWorker(h.env, { workflowBundle: await workflowBundle() });
    try {
      await expect(worker.runUntil(waitForCampaign(h.client, campaignId, undefined, 200))).rejects.toThrow();
    } finally {
      await close();
    }
    const status = await cli(['campaign', 'status', campaignId], h.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/: failed, 0 users/);
    expect(status.stdout).toMatch(/^failed: SnapshotFormatError: \S+manifest\.json is not valid JSON$/m);
  }, 120_000);
});
