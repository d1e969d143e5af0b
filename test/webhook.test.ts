/**
 * Webhook delivery of the outbox (`campaign start --notify-url`): a local receiver that
 * refuses the first attempts and checks every signature gets every event, in order per
 * user, duplicates only under the same id; bad input is refused before anything starts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCampaign, waitForCampaign } from '../client/campaigns';
import { signature } from '../activities/delivery';
import { controlCollections } from '../store/control/control-collections';
import { deliveryWorkflowId } from '../workflows';
import { cli } from './helpers/cli';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';
import { storedEvents } from './helpers/outbox';

const T = '2009-09-30T18:02:11Z';
const SECRET = 'a shared secret of the test receiver';
const USERS = ['w-1', 'w-2', 'w-3', 'w-4'];

/** A receiver that answers 503 to its first `refusals` requests, and keeps every request it gets. */
function receiver(refusals: number): Promise<{ server: Server; url: string; got: { id: string; body: string; signed: boolean; answered: number }[] }> {
  const got: { id: string; body: string; signed: boolean; answered: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const answered = got.length < refusals ? 503 : 204;
      got.push({ id: String(req.headers['x-restorectl-event']), body, signed: req.headers['x-restorectl-signature'] === signature(body, SECRET), answered });
      res.writeHead(answered).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/restore?token=t0k3n`, got })),
  );
}

describe('webhook delivery', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ ...isolatedEnv('webhook'), RESTORE_WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => h?.close());

  it('delivers every event, signed, in order per user, through a receiver that refuses at first', async () => {
    const snapshotDir = await writeSnapshot({
      users: USERS.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: USERS.map((u) => recordLine(u, `c-${u}`, T, { displayName: `Contact of ${u}` })),
        notes: USERS.map((u) => recordLine(u, `n-${u}`, T, { title: 'note', body: `Note of ${u}` })),
      },
    });
    const { server, url, got } = await receiver(3);
    try {
      const c = controlCollections(h.stores.control);
      const campaignId = await h.runWorkerUntil(async () => {
        const id = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 2, notifyUrl: url });
        await waitForCampaign(h.client, id, undefined, 200);
        // Its events go out once settled; the delivery then waits, idle, for a replay's or an undo's.
        for (let tries = 0; new Set(got.filter((r) => r.answered === 204).map((r) => r.id)).size < 12 && tries < 120; tries++) await new Promise((r) => setTimeout(r, 500));
        await h.client.workflow.getHandle(deliveryWorkflowId(id)).terminate('the test has what it needs');
        return id;
      });
      const events = await storedEvents(c, campaignId);
      expect(events).toHaveLength(12);
      const delivered = got.filter((r) => r.answered === 204);
      expect(got.slice(0, 3).map((r) => r.answered)).toEqual([503, 503, 503]);
      expect(got.every((r) => r.signed)).toBe(true);
      // Every event, and a repeat only of the same event, with the same body.
      expect([...new Set(delivered.map((r) => r.id))].sort()).toEqual(events.map((e) => e._id).sort());
      for (const r of got) expect(r.body).toBe(got.find((o) => o.id === r.id)!.body);
      expect(JSON.parse(delivered[0].body)).toEqual({
        _id: delivered[0].id,
        campaignId,
        userId: expect.any(String),
        category: expect.anything(),
        state: 'restored',
        counts: expect.any(Object),
        at: expect.any(String),
      });
      // A user's events arrive in the order they happened: its contacts, its notes, then the user's own.
      for (const userId of USERS) {
        const order = delivered.map((r) => JSON.parse(r.body)).filter((e) => e.userId === userId);
        expect(order.map((e) => e.category)).toEqual(['contacts', 'notes', null]);
      }
      const undelivered = await cli(['events', '--undelivered', '--campaign', campaignId, '--json'], h.env);
      expect(JSON.parse(undelivered.stdout)).toEqual([{ campaignId, receiver: new URL(url).origin, waiting: 0, waitingMore: false, gaveUp: [] }]);
      // The receiver's path and token are no one's business in the output.
      expect(undelivered.stdout).not.toContain('t0k3n');

      // An undo, the campaign's delivery over, starts it again from its cursor: the undo's events arrive, the campaign's are not sent again.
      const sent = got.length;
      await h.runWorkerUntil(async () => {
        expect((await cli(['undo', campaignId], h.env)).code).toBe(0);
        for (let tries = 0; got.filter((r) => r.id.endsWith('|undone')).length < 8 && tries < 120; tries++) await new Promise((r) => setTimeout(r, 500));
        await h.client.workflow.getHandle(deliveryWorkflowId(campaignId)).terminate('the test has what it needs');
      });
      expect(got.slice(sent).map((r) => r.id.split('|').pop())).toEqual(Array(8).fill('undone'));
      expect(got.slice(sent).every((r) => r.signed && r.answered === 204)).toBe(true);
    } finally {
      server.close();
    }
  }, 180_000);

  it('refuses a notify URL that is not http(s), or without a key to sign with, before anything starts', async () => {
    const snapshotDir = await writeSnapshot({ users: [{ userId: 'w-1', expected: { contacts: 1 } }], lines: { contacts: [recordLine('w-1', 'c-1', T, { displayName: 'A' })] } });
    const ftp = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts', '--notify-url', 'ftp://example.org/x'], h.env);
    expect([ftp.code, ftp.stderr]).toEqual([2, 'restorectl: --notify-url must be an http or https URL, not ftp:\n']);
    const unsigned = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts', '--notify-url', 'https://example.org/x'], {
      ...h.env,
      RESTORE_WEBHOOK_SECRET: undefined,
    });
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toMatch(/^restorectl: --notify-url needs RESTORE_WEBHOOK_SECRET/);
    expect(await controlCollections(h.stores.control).campaigns.countDocuments({ snapshotDir })).toBe(0);
  }, 60_000);
});
