/**
 * A campaign longer than one run: with one batch per run it continues as new after
 * every batch, and still restores every user once, closing the campaign only at the end.
 * The next wave's file, staged ahead from a wave's start, is staged once across the runs.
 */
import { campaignWorkflowId } from '../client/temporal';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const users = Array.from({ length: 7 }, (_, i) => `u-${i + 1}`);

describe('a campaign that continues as new', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('can'));
  });
  afterAll(async () => h?.close());

  it('restores every user once across runs and closes only in the last run', async () => {
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1 } })),
      lines: { contacts: users.map((u) => recordLine(u, `c-${u}`, T, { displayName: `Contact of ${u}` })) },
    });
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts'], batchSize: 2, concurrency: 2, batchesPerRun: 1 });
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users).toMatchObject({ restored: 7, pending: 0, partial: 0, failed: 0 });
    expect(await h.stores.target.collection('contacts').countDocuments()).toBe(7);
    const statuses = await controlCollections(h.stores.control).status.find({ campaignId: report.campaignId }).toArray();
    expect(statuses.map((s) => s.attempts)).toEqual(Array(7).fill(1));

    // Visibility is eventually consistent: the last run may take a moment to be listed.
    let runs: string[] = [];
    for (let tries = 0; runs.length < 4 && tries < 50; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 200));
      runs = [];
      for await (const run of h.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(report.campaignId)}'` })) runs.push(run.runId);
    }
    expect(runs).toHaveLength(4);
    const closesPerRun = await Promise.all(
      runs.map(async (runId) => {
        const history = await h.client.workflow.getHandle(campaignWorkflowId(report.campaignId), runId).fetchHistory();
        return history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'closeCampaign').length;
      }),
    );
    expect(closesPerRun.sort()).toEqual([0, 0, 0, 1]);
  });

  it('stages the next wave once, ahead, however many runs the wave before takes', async () => {
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: users.map((u) => recordLine(u, `c-${u}`, T, { displayName: `Contact of ${u}` })),
        notes: users.map((u) => recordLine(u, `n-${u}`, T, { title: 'recovered', body: `of ${u}` })),
      },
    });
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, concurrency: 2, batchesPerRun: 1 });
    expect(report.state).toBe('completed');
    expect(report.categories.notes!.users).toMatchObject({ restored: 7, pending: 0, partial: 0, failed: 0 });
    expect(await h.stores.target.collection('notes').countDocuments({ 'restore.campaignId': report.campaignId })).toBe(7);
    const stagings: number[] = [];
    for await (const run of h.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(report.campaignId)}'` })) {
      const history = await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      stagings.push(history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'stageCategory').length);
    }
    // Contacts in the first run, notes from that run's start: the runs after carry its summary.
    expect(stagings.length).toBeGreaterThan(2);
    expect(stagings.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
