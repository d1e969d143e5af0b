/**
 * `restorectl replay`: an engineer re-runs what failed and what was quarantined, once the
 * cause is mended, through real workflows on the stack. A photo's blob goes missing after
 * staging (its user fails) and another photo's line carries a wrong digest (quarantined);
 * a repaired copy of the snapshot brings both back, and a second replay changes nothing.
 */
import { cp, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCampaign, waitForCampaign, waitForProgress } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { jcsSha256, sha256Hex } from '../domain/digest';
import { controlCollections } from '../store/control/control-collections';
import { pauseSignal, resumeSignal } from '../workflows';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const lost = Buffer.from('a photo whose blob goes missing');
const kept = Buffer.from('a photo that stays');
const photoOf = (blob: Buffer, filename: string) => ({ filename, mimeType: 'image/png', bytes: blob.length, sha256: sha256Hex(blob) });

describe('replay', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('replay'));
  });
  afterAll(async () => h?.close());

  it('re-runs failed and quarantined user-categories from a repaired snapshot, counts attempts, and a second replay changes nothing', async () => {
    const u2Data = photoOf(kept, 'u2.png');
    const users = [
      { userId: 'u-1', expected: { photos: 1 } },
      { userId: 'u-2', expected: { photos: 1 } },
      { userId: 'u-3', expected: { photos: 1 } },
    ];
    const snapshotDir = await writeSnapshot({
      users,
      lines: {
        photos: [
          recordLine('u-1', 'p-1', T, photoOf(lost, 'u1.png')),
          { ...recordLine('u-2', 'p-2', T, u2Data), sha256: sha256Hex('not this') },
          recordLine('u-3', 'p-3', T, photoOf(kept, 'u3.png')),
        ],
      },
      blobs: [lost, kept],
    });
    const c = controlCollections(h.stores.control);
    const photos = h.stores.target.collection('photos');

    // The campaign is paused before its first batch, and u-1's blob is taken away after staging checked it.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['photos'] });
    await h.client.workflow.getHandle(campaignWorkflowId(campaignId)).signal(pauseSignal);
    const report = await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring' && p.paused);
      await unlink(join(snapshotDir, 'blobs', sha256Hex(lost)));
      await h.client.workflow.getHandle(campaignWorkflowId(campaignId)).signal(resumeSignal);
      return waitForCampaign(h.client, campaignId, undefined, 200);
    });
    expect(report.categories.photos!.users).toMatchObject({ restored: 1, partial: 1, failed: 1 });

    // Bad input: nothing chosen, a snapshot of another id, no such campaign.
    expect((await cli(['replay', campaignId], h.env)).code).toBe(2);
    const other = await writeSnapshot({ snapshotId: 'another-snapshot', users, lines: { photos: [] } });
    const wrong = await cli(['replay', campaignId, '--all-failed', '--snapshot', other], h.env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/holds snapshot another-snapshot, not test-snapshot/);
    expect((await cli(['replay', 'c-no-such-campaign', '--all-failed'], h.env)).code).toBe(2);

    // Replayed before the fix: validation runs again and now finds the blob missing, so the
    // line is quarantined for that reason rather than failing the user; its attempts count on.
    const before = await h.runWorkerUntil(() => cli(['replay', campaignId, '--all-failed', '--json'], h.env));
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).categories).toEqual([{ category: 'photos', users: 1, outcome: expect.objectContaining({ partial: 1, failed: 0 }) }]);
    expect(await c.status.findOne({ campaignId, userId: 'u-1' })).toMatchObject({ state: 'partial', attempts: 2, quarantined: 1, error: null });
    expect(JSON.parse((await cli(['failures', campaignId, '--json'], h.env)).stdout)).toMatchObject({
      failed: [],
      quarantined: expect.arrayContaining([expect.objectContaining({ reason: 'blob-missing', count: 1, examples: [{ userId: 'u-1', line: 1 }] })]),
    });

    // The repaired copy: the blob is back and u-2's line carries its right digest.
    const repaired = join(snapshotDir, '..', `${campaignId}-repaired`);
    await cp(snapshotDir, repaired, { recursive: true });
    await writeFile(join(repaired, 'blobs', sha256Hex(lost)), lost);
    const lines = [recordLine('u-1', 'p-1', T, photoOf(lost, 'u1.png')), recordLine('u-2', 'p-2', T, u2Data), recordLine('u-3', 'p-3', T, photoOf(kept, 'u3.png'))];
    await writeFile(join(repaired, 'photos.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(lines[1].sha256).toBe(jcsSha256(u2Data));

    const mended = await h.runWorkerUntil(() => cli(['replay', campaignId, '--user', 'u-1', '--user', 'u-2', '--user', 'u-3', '--snapshot', repaired, '--json'], h.env));
    expect(mended.code).toBe(0);
    // u-3 was restored already: nothing to mend, not re-run.
    expect(JSON.parse(mended.stdout).categories).toEqual([{ category: 'photos', users: 2, outcome: expect.objectContaining({ restored: 2, partial: 0, failed: 0 }) }]);
    const statuses = await c.status.find({ campaignId }, { sort: { userId: 1 } }).toArray();
    expect(statuses.map((s) => [s.userId, s.state, s.attempts, s.quarantined, s.restored, s.error])).toEqual([
      ['u-1', 'restored', 3, 0, 1, null],
      ['u-2', 'restored', 2, 0, 1, null],
      ['u-3', 'restored', 1, 0, 1, null],
    ]);
    expect((await photos.find({}, { sort: { recordId: 1 } }).toArray()).map((d) => d.recordId)).toEqual(['p-1', 'p-2', 'p-3']);
    const failures = JSON.parse((await cli(['failures', campaignId, '--json'], h.env)).stdout);
    expect(failures).toMatchObject({ failed: [], quarantined: [] });

    // The same replay again finds nothing to mend: no status and no live document changes.
    const live = await photos.find({}, { sort: { recordId: 1 } }).toArray();
    const again = await h.runWorkerUntil(() => cli(['replay', campaignId, '--user', 'u-1', '--user', 'u-2', '--user', 'u-3', '--snapshot', repaired], h.env));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to replay/);
    expect(await c.status.find({ campaignId }, { sort: { userId: 1 } }).toArray()).toEqual(statuses);
    expect(await photos.find({}, { sort: { recordId: 1 } }).toArray()).toEqual(live);
    expect(await c.selections.countDocuments()).toBe(0);

    // Engineers find the campaign's workflows, and its batches per category, by search attribute.
    const found = async (query: string) => {
      for (let tries = 0; ; tries++) {
        const types: string[] = [];
        for await (const w of h.client.workflow.list({ query })) types.push(w.type);
        // Visibility is eventually consistent: the last workflows may take a moment to be listed.
        if (types.includes('replayWorkflow') || tries === 50) return types;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const types = await found(`RestoreCampaignId = '${campaignId}'`);
    expect(new Set(types)).toEqual(new Set(['campaignWorkflow', 'restoreBatchWorkflow', 'replayWorkflow']));
    expect((await found(`RestoreCampaignId = '${campaignId}' AND RestoreCategory = 'photos'`)).filter((t) => t === 'restoreBatchWorkflow').length).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
