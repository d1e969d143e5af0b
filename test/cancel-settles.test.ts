/**
 * A cancel that lands while batches are inside their activities, held there through the
 * restore's test hook: one batch between attempts (its users marked `restoring` by an
 * attempt that failed), one writing, while the next wave's file is staged ahead. The
 * campaign closes only after the writing batch's activity and the staging have ended, and
 * the close puts the users of the batch cut short back to `pending`.
 */
import { createActivities } from '../activities';
import { startCampaign } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { campaignReport } from '../store/control/campaign-report';
import { controlCollections } from '../store/control/control-collections';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

/** A promise and the function that settles it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('a cancel while batches are inside their activities', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('cancelsettles'));
  });
  afterAll(async () => h?.close());

  it('closes the campaign after the batches end and leaves the users of the one cut short pending', async () => {
    const users = ['u-1', 'u-2', 'u-3', 'u-4'];
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: users.map((userId) => recordLine(userId, 'c-1', '2009-09-30T18:02:11Z', { displayName: `recovered ${userId}` })),
        notes: users.map((userId) => recordLine(userId, 'n-1', '2009-09-30T18:02:11Z', { title: 'recovered', body: `of ${userId}` })),
      },
    });
    const events: string[] = [];
    const arrived = { failing: latch(), writing: latch() };
    const cancelled = latch();
    const activities = createActivities(h.stores, {
      async beforeWrites(writes, _round, attempt) {
        if (writes[0].userId === 'u-1') {
          // Batch 1 fails every attempt after marking its users restoring: the worker lost its way.
          if (attempt === 1) arrived.failing.open();
          await cancelled.promise;
          throw new Error('the worker lost its connection mid-batch');
        }
        arrived.writing.open();
        await cancelled.promise;
        // Still writing well after the cancel: a close that did not wait would come first.
        await new Promise((r) => setTimeout(r, 1500));
        events.push('batch 2 writes');
      },
    });
    const restoreUsers: typeof activities.restoreUsers = async (input) => {
      try {
        return await activities.restoreUsers(input);
      } finally {
        events.push(`batch of ${input.users[0].userId} activity ended`);
      }
    };
    // The notes file is staged ahead once the wave's pages are all listed (a third slot lets the
    // campaign find the end of users.ndjson while both batches run), and is still at it well after the cancel.
    const stagingAhead = latch();
    const stageCategory: typeof activities.stageCategory = async (input) => {
      if (input.category !== 'notes') return activities.stageCategory(input);
      stagingAhead.open();
      await cancelled.promise;
      // Longer than batch 2 writes after the cancel: a close that waited for the batches only would come first.
      await new Promise((r) => setTimeout(r, 3000));
      events.push('notes staging ended');
      return activities.stageCategory(input);
    };
    const closeCampaign: typeof activities.closeCampaign = async (input) => {
      events.push(`close ${input.state}`);
      return activities.closeCampaign(input);
    };
    let campaignId = '';
    const report = await withActivities(h, { ...activities, restoreUsers, stageCategory, closeCampaign }, async () => {
      campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, concurrency: 3 });
      await Promise.all([arrived.failing.promise, arrived.writing.promise, stagingAhead.promise]);
      // Asked for as `campaign cancel` asks (cancelCampaign would also wait for the close, which the held activities hold up).
      const handle = h.client.workflow.getHandle(campaignWorkflowId(campaignId));
      await handle.cancel();
      cancelled.open();
      // The workflow ends cancelled once it has closed the campaign.
      await handle.result().catch(() => undefined);
      return campaignReport(controlCollections(h.stores.control), campaignId);
    });

    expect(report?.state).toBe('cancelled');
    expect(events[events.length - 1]).toBe('close cancelled');
    expect(events).toContain('batch of u-3 activity ended');
    expect(events).toContain('notes staging ended');
    expect(events).toContain('batch 2 writes');
    const statuses = await controlCollections(h.stores.control)
      .status.find({ campaignId, category: 'contacts' }, { projection: { _id: 0, userId: 1, state: 1 } })
      .sort({ userId: 1 })
      .toArray();
    expect(statuses).toEqual([
      { userId: 'u-1', state: 'pending' },
      { userId: 'u-2', state: 'pending' },
      { userId: 'u-3', state: 'restored' },
      { userId: 'u-4', state: 'restored' },
    ]);
    expect(
      (
        await h.stores.target
          .collection('contacts')
          .find({}, { projection: { _id: 0, userId: 1 } })
          .sort({ userId: 1 })
          .toArray()
      ).map((d) => d.userId),
    ).toEqual(['u-3', 'u-4']);
  });
});
