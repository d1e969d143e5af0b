/**
 * Staging is safe to crash half-way: a retry resumes from its last heartbeat, and
 * lines staged twice leave what staging them once leaves. Runs the activity against
 * the real store; only the activity context is the SDK's mock environment.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { stagingActivities } from '../activities/staging';
import type { StageInput } from '../activities/types';
import { generateSnapshot } from '../snapshot/generate';
import type { LinePosition } from '../snapshot/line-reader';
import { connectStores, type Stores } from '../store/connection';
import { controlCollections, type StagingSummary } from '../store/control-collections';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv } from './helpers/test-env';

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

  async function stage(campaignId: string, heartbeatDetails?: unknown) {
    const env = new MockActivityEnvironment({ heartbeatDetails }, { logger: new DefaultLogger('WARN') });
    const beats: { position: LinePosition; lines: number; ignored: number }[] = [];
    env.on('heartbeat', (d) => beats.push(d));
    const input: StageInput = { campaignId, snapshotDir, category: 'contacts' };
    const summary: StagingSummary = await env.run(stagingActivities(controlCollections(stores.control)).stageCategory, input);
    return { summary, beats };
  }

  async function stagedState(campaignId: string) {
    const c = controlCollections(stores.control);
    const staged = await c.staged.find({ campaignId }).project({ _id: 0, campaignId: 0 }).sort({ line: 1 }).toArray();
    const quarantine = await c.quarantine.find({ campaignId }).project({ _id: 0, campaignId: 0 }).sort({ line: 1 }).toArray();
    return { staged, quarantine };
  }

  it('resumed from an earlier heartbeat, ends as a single clean run does', async () => {
    const clean = await stage('clean');
    expect(clean.beats.length).toBeGreaterThan(1);
    // A first attempt that got as far as its first heartbeat, then a retry from there
    // that restages the lines the first attempt wrote after it.
    await stage('crashed');
    const retried = await stage('crashed', clean.beats[0]);
    expect(retried.summary).toEqual(clean.summary);
    expect(await stagedState('crashed')).toEqual(await stagedState('clean'));
    expect(clean.summary.quarantined).toBeGreaterThan(0);
    expect(clean.summary.valid + clean.summary.quarantined + clean.summary.ignored).toBe(clean.summary.lines);
  });
});
