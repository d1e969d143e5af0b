/**
 * Batches of several pages (domain/batch-pages.ts): a campaign started without a batch size
 * gives a wave of few records a user fewer, larger batches, and a wave of many records one
 * page a batch; a batch size given is kept in every wave. Either way every user-category is
 * restored once. A wave's first batches, as many as may run, are listed by one activity, while
 * the wave before still runs.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignWorkflowId } from '../client/temporal';
import type { Category } from '../domain/categories';
import { generateSnapshot } from '../snapshot/generate';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { isolatedEnv } from './helpers/test-env';

const USERS = 1200;

describe('batches of several pages', () => {
  let h: Harness;
  let snapshotDir: string;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('batch-pages'));
    snapshotDir = join(await mkdtemp(join(tmpdir(), 'batch-pages-')), 'snapshot');
    await generateSnapshot(snapshotDir, { users: USERS, seed: 'batch-pages', corruptRate: 0 });
  });
  afterAll(async () => h?.close());

  /** The batch children the campaign started, per category, from its history (one run: fewer than 200 batches). */
  async function batchesOf(campaignId: string): Promise<Partial<Record<Category, number>>> {
    const history = await h.client.workflow.getHandle(campaignWorkflowId(campaignId)).fetchHistory();
    const counts: Partial<Record<Category, number>> = {};
    for (const event of history.events ?? []) {
      const id = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      const category = id && (/-(contacts|scores)-\d+$/.exec(id)?.[1] as Category | undefined);
      if (category) counts[category] = (counts[category] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * The campaign's listings of users.ndjson, by activity, and the batches started by each of
   * its workflow tasks that started any, in order.
   */
  async function listingsOf(campaignId: string) {
    const history = await h.client.workflow.getHandle(campaignWorkflowId(campaignId)).fetchHistory();
    const listings: Record<string, number> = {};
    const startedPerTask: number[] = [0];
    for (const event of history.events ?? []) {
      const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (activity?.startsWith('listUser')) listings[activity] = (listings[activity] ?? 0) + 1;
      if (event.startChildWorkflowExecutionInitiatedEventAttributes) startedPerTask[startedPerTask.length - 1] += 1;
      if (event.workflowTaskCompletedEventAttributes && startedPerTask[startedPerTask.length - 1] > 0) startedPerTask.push(0);
    }
    return { listings, startedPerTask: startedPerTask.filter((n) => n > 0) };
  }

  /** Restored user-categories per category, from the statuses, and the live documents of each. */
  async function restoredOf(campaignId: string) {
    const status = controlCollections(h.stores.control).status;
    const figures: Record<string, { ended: number; live: number }> = {};
    for (const category of ['contacts', 'scores'] as const) {
      const ended = await status.countDocuments({ campaignId, category, state: { $in: ['restored', 'partial'] } });
      figures[category] = { ended, live: await h.stores.target.collection(category).countDocuments({ 'restore.campaignId': campaignId }) };
    }
    return figures;
  }

  it('gives scores (1.5 records a user) two pages a batch and contacts (11) one, restoring every user once', async () => {
    // One batch at a time: a wave of 1,200 users keeps at least one batch, of up to two pages of 500.
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts', 'scores'], concurrency: 1 });
    expect(report.state).toBe('completed');
    expect(await batchesOf(report.campaignId)).toEqual({ contacts: 3, scores: 2 });
    const restored = await restoredOf(report.campaignId);
    expect(restored.contacts.ended).toBe(USERS);
    expect(restored.scores.ended).toBe(USERS);
    expect(restored.contacts.live).toBe(report.categories.contacts!.records.restored);
    expect(restored.scores.live).toBe(report.categories.scores!.records.restored);
    expect(restored.scores.live).toBeGreaterThan(USERS);
  });

  it('keeps a batch size given in every wave', async () => {
    await h.stores.target.dropDatabase();
    const report = await h.runCampaign({ snapshotDir, categories: ['contacts', 'scores'], batchSize: 500, concurrency: 2 });
    expect(report.state).toBe('completed');
    expect(await batchesOf(report.campaignId)).toEqual({ contacts: 3, scores: 3 });
    expect((await restoredOf(report.campaignId)).scores.ended).toBe(USERS);
    // Each wave's first two batches are listed together and start together; its third is listed while they run.
    expect(await listingsOf(report.campaignId)).toEqual({ listings: { listUserBatches: 2, listUserPage: 2 }, startedPerTask: [2, 1, 2, 1] });
    // The scores wave's first batches are listed while the contacts wave's last batches still run.
    const events = (await h.client.workflow.getHandle(campaignWorkflowId(report.campaignId)).fetchHistory()).events ?? [];
    const lastWhere = (pick: (e: (typeof events)[number]) => boolean) => events.map(pick).lastIndexOf(true);
    const scoresListed = lastWhere((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'listUserBatches');
    const contactsEnded = lastWhere((e) => /-contacts-\d+$/.test(e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId ?? ''));
    expect(scoresListed).toBeGreaterThan(0);
    expect(scoresListed).toBeLessThan(contactsEnded);
  });
});
