/**
 * When a user's category is expected back (operations/eta.ts), on a real campaign held to a
 * slow pace: a later wave's after the wave under way, a user further down users.ndjson later
 * in its wave, and, while the campaign is paused, the reason instead of a time.
 */
import { cancelCampaign, pauseCampaign, startCampaign, waitForProgress } from '../client/campaigns';
import { estimatedUserStatus, summarizeUserStatus } from '../operations/queries';
import { controlCollections } from '../store/control/control-collections';
import { cli } from './helpers/cli';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const USERS = Array.from({ length: 12 }, (_, i) => `e-${String(i + 1).padStart(2, '0')}`);

describe('when a category is expected back', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('eta'));
  });
  afterAll(async () => h?.close());

  it('estimates from the place in the wave and its pace, puts later pages later, and says paused while paused', async () => {
    const snapshotDir = await writeSnapshot({
      users: USERS.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: USERS.map((u) => recordLine(u, `c-${u}`, T, { displayName: `Contact of ${u}` })),
        notes: USERS.map((u) => recordLine(u, `n-${u}`, T, { title: 'note', body: `Note of ${u}` })),
      },
    });
    // Two records a second, a user's each in a batch of two: a wave takes some six seconds.
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, concurrency: 1, maxRecordsPerSecond: 2 });
    const c = controlCollections(h.stores.control);
    const estimate = async (userId: string) => {
      const estimated = await estimatedUserStatus(c, h.client, userId, campaignId);
      const words = summarizeUserStatus(estimated).campaigns[0]?.categories.find((cat) => cat.category === 'notes')?.words;
      return { notes: estimated.status.campaigns[0]?.categories.notes, words };
    };
    await h.runWorkerUntil(async () => {
      // In the contacts wave, a user whose contacts are back waits for its notes after that wave.
      await waitForProgress(h.client, campaignId, (p) => p.category === 'contacts' && p.outcome.restored >= 2);
      const afterContacts = await estimate('e-01');
      expect(afterContacts.notes).toMatchObject({ state: 'pending', expectedBy: expect.any(Date), estimateBasis: expect.stringMatching(/^after the contacts wave/) });
      expect(afterContacts.words).toMatch(/^expected after the contacts wave, in (less than a minute|about \d+ minutes?) \(1 record\(s\)\)$/);

      // In the notes wave, a user further down users.ndjson is expected later.
      await waitForProgress(h.client, campaignId, (p) => p.category === 'notes' && p.tallies[1]?.users.restored >= 2);
      const [near, far] = [await estimate('e-05'), await estimate('e-12')];
      expect(near.notes?.estimateBasis).toMatch(/^its place in the notes wave: reached once 6 of 12 users are done/);
      expect(far.notes?.estimateBasis).toMatch(/^its place in the notes wave: reached once 12 of 12 users are done/);
      expect(far.notes!.expectedBy!.getTime()).toBeGreaterThan(near.notes!.expectedBy!.getTime());
      expect(far.words).toMatch(/^expected back in (less than a minute|about \d+ minutes?) \(1 record\(s\)\)$/);

      await pauseCampaign(h.client, campaignId);
      await waitForProgress(h.client, campaignId, (p) => p.paused);
      const paused = await cli(['user', 'status', 'e-12', '--campaign', campaignId], h.env);
      expect(paused.stdout).toMatch(/^ {2}notes {5}paused by the operator; 1 record\(s\) expected, not restored yet$/m);
      const json = JSON.parse((await cli(['user', 'status', 'e-12', '--campaign', campaignId, '--json'], h.env)).stdout);
      expect(json.campaigns[0].categories.notes).toMatchObject({ state: 'pending', expectedBy: null, estimateBasis: 'paused by the operator' });
      await cancelCampaign(h.client, campaignId);
    });
    // An ended campaign gives no estimate.
    expect((await estimate('e-12')).notes).not.toHaveProperty('expectedBy');
  }, 120_000);
});
