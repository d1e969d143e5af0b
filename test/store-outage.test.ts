/**
 * A store outage in the middle of a wave: PostgreSQL under FerretDB is stopped for a
 * minute while batches run (FerretDB keeps answering, with errors), then started again.
 * The restore waits it out: the campaign pauses itself, saying why, goes on by itself
 * when the store answers, and ends with every record restored and no user failed.
 */
import { defaultDataDir, stackPaths } from '../stack/layout';
import { startPostgres, stopPostgres } from '../stack/postgres';
import { stackStatus } from '../stack/stack';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { campaignWorkflowId } from '../client/temporal';
import { type campaignWorkflow, progressQuery } from '../workflows';
import { controlCollections } from '../store/control/control-collections';
import { createActivities } from '../activities';
import { createHarness, type Harness, withActivities } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const USERS = 40;
const PER_USER = 3;
const OUTAGE_MS = 60_000;

describe('a store outage of a minute in the middle of a wave', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('outage'));
  });
  afterAll(async () => h?.close());

  it('ends with every record restored and no user failed', async () => {
    const { options } = await stackStatus(defaultDataDir());
    if (options?.backend !== 'postgresql') throw new Error('this test needs the stack on PostgreSQL, as the tests start it');
    const paths = stackPaths(options.dataDir);
    const users = Array.from({ length: USERS }, (_, i) => `u-${i + 1}`);
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: PER_USER } })),
      lines: { contacts: users.flatMap((userId) => Array.from({ length: PER_USER }, (_, k) => recordLine(userId, `c-${k}`, T, { displayName: `${userId} contact ${k}` }))) },
    });
    const status = controlCollections(h.stores.control).status;
    const handle = (campaignId: string) => h.client.workflow.getHandle<typeof campaignWorkflow>(campaignWorkflowId(campaignId));
    const pausedReasons = new Set<string>();

    // The outage begins inside a batch: the store goes down as the third batch starts, so it
    // meets a batch under way whatever the timing (one about to page users would only wait
    // in the campaign's own retries).
    const activities = createActivities(h.stores);
    let batches = 0;
    let outage: Promise<void> | undefined;
    const restoreUsers: typeof activities.restoreUsers = async (input) => {
      if (++batches === 3) {
        await stopPostgres(paths.postgres);
        outage = new Promise<void>((r) => setTimeout(r, OUTAGE_MS))
          .then(() => startPostgres(paths.postgres, paths.postgresSockets, options.postgresPort, paths.postgresLog))
          .then(() => undefined);
      }
      return activities.restoreUsers(input);
    };

    const report = await withActivities(h, { ...activities, restoreUsers }, async () => {
      const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts'], batchSize: 5, concurrency: 1 });
      while (!outage) await new Promise((r) => setTimeout(r, 100));
      let over = false;
      outage.finally(() => (over = true)).catch(() => undefined);
      while (!over) {
        const progress = await handle(campaignId).query(progressQuery);
        if (progress.paused) pausedReasons.add(progress.pausedReason ?? '');
        await new Promise((r) => setTimeout(r, 250));
      }
      await outage; // PostgreSQL is back, or the reason it is not
      return waitForCampaign(h.client, campaignId, undefined, 500);
    });
    const failures = (await status.find({ state: 'failed' }).toArray()).map((s) => s.error);
    const sawStorePause = [...pausedReasons].some((reason) => /^the store does not answer \(\d+ batch\(es\) waiting for it\): /.test(reason));
    expect({ sawStorePause, pausedReasons: sawStorePause ? [] : [...pausedReasons], failures }).toEqual({ sawStorePause: true, pausedReasons: [], failures: [] });
    expect(report.state).toBe('completed');
    expect(report.categories.contacts!.users).toMatchObject({ restored: USERS, failed: 0, partial: 0 });
    expect(await h.stores.target.collection('contacts').countDocuments()).toBe(USERS * PER_USER);
  }, 600_000);
});
