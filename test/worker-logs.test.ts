/**
 * The worker's own log at `info`, as an operator's log shipper collects it: it says what the
 * worker does (campaigns, batches, counts), and never a user id, a record id or what a record
 * holds, not even of a line it quarantines.
 */
import { createApplicationIndexes } from '../store/live/live-indexes';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli, startWorker, stopWorker } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';

describe("the worker's log at info", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(isolatedEnv('workerlogs'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
  });
  afterAll(async () => h?.close());

  it('says what it does, with no user id, record id or record content', async () => {
    const users = ['userid-a7f3q', 'userid-b8k2w', 'userid-c9m4z'];
    const secrets = [...users, 'recordid-x1', 'recordid-x2', 'recordid-y1', 'Zanzibar Quuxley', 'quuxley@example.com', '+1 555 0199', 'a diary entry'];
    const snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: [
          recordLine(users[0], 'recordid-x1', T, { displayName: 'Zanzibar Quuxley', emails: [{ address: 'quuxley@example.com' }], phones: [{ number: '+1 555 0199' }] }),
          recordLine(users[1], 'recordid-x2', T, { displayName: 'Zanzibar Quuxley' }),
          // Quarantined: its digest does not match what it holds.
          { ...recordLine(users[2], 'recordid-y1', T, { displayName: 'Zanzibar Quuxley' }), sha256: 'f'.repeat(64) },
        ],
        notes: users.map((userId, i) => recordLine(userId, `note-${i}`, T, { title: 'Dear diary', body: 'a diary entry' })),
      },
    });
    const worker = startWorker({ ...h.env, LOG_LEVEL: 'info' });
    let said = '';
    worker.stderr!.on('data', (d) => (said += d));
    try {
      const run = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--wait', '--json', '--categories', 'contacts,notes'], h.env);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).categories.contacts.records).toMatchObject({ restored: 2, quarantined: 1 });
    } finally {
      await stopWorker(worker);
    }
    const lines = said.split('\n').filter(Boolean);
    const messages = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    // It does log at info: the campaign and its batches.
    expect(messages.filter((m) => m.level === 30).map((m) => m.msg)).toEqual(expect.arrayContaining(['batch restored', 'campaign closed']));
    for (const secret of secrets) expect([secret, said.includes(secret)]).toEqual([secret, false]);
  });
});
