/**
 * The CLI as incident and support staff use it: the compiled `restorectl` in child
 * processes, a `restorectl worker` process, the real stack.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectStores } from '../store/connection';
import { cli, startWorker, stopWorker } from './helpers/cli';
import { isolatedEnv } from './helpers/test-env';

const STATUS_FIELDS = ['state', 'expected', 'received', 'valid', 'quarantined', 'missing', 'restored', 'keptLive', 'duplicates', 'attempts', 'error', 'updatedAt'];

describe('restorectl on bad input', () => {
  it.each([
    [['snapshot', 'generate', '/tmp/x', '--users', '0']],
    [['snapshot', 'verify', '/nonexistent/snapshot']],
    [['campaign', 'start', '--snapshot', '/nonexistent/snapshot']],
    [['campaign', 'start', '--snapshot', '/tmp', '--categories', 'contacts,bogus']],
    [['campaign', 'start', '--snapshot', '/tmp', '--policy', 'clobber']],
    [['user', 'status', 'not a user id!']],
    [['stack', 'up', '--mongo-port', '99999']],
    [['no-such-command']],
  ])('%j exits 2 with a one-line error', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^(restorectl: |error: )/);
  });
});

describe('a campaign driven through the CLI', () => {
  const env = isolatedEnv('cli');
  let worker: ChildProcess;
  let snapshotDir: string;

  beforeAll(async () => {
    snapshotDir = join(await mkdtemp(join(tmpdir(), 'cli-')), 'snapshot');
    worker = startWorker(env);
  });

  afterAll(async () => {
    if (worker) expect(await stopWorker(worker)).toBe(0);
    const stores = await connectStores(env);
    await stores.target.dropDatabase();
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  it('generates and verifies a snapshot', async () => {
    const gen = await cli(['snapshot', 'generate', snapshotDir, '--users', '40', '--seed', 'cli', '--corrupt-rate', '0.1', '--json']);
    expect(gen.code).toBe(0);
    const summary = JSON.parse(gen.stdout);
    expect(summary.users).toBe(40);
    const verify = await cli(['snapshot', 'verify', snapshotDir, '--json']);
    expect(verify.code).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report.snapshotId).toBe(summary.snapshotId);
    expect(report.categories.contacts.lines).toBe(summary.lines.contacts);
    expect(report.categories.contacts.quarantined).toBeGreaterThan(0);
  });

  it('starts a campaign, waits for it, and answers for one user', async () => {
    const start = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts', '--batch-size', '7', '--wait', '--json'], env);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const report = JSON.parse(start.stdout);
    expect(report).toMatchObject({ campaignId: expect.stringMatching(/^c-/), state: 'completed', users: 40 });
    const contacts = report.categories.contacts;
    expect(contacts.users.restored + contacts.users.partial).toBe(40);
    expect(contacts.users.partial).toBeGreaterThan(0);
    expect(contacts.records.restored + contacts.records.keptLive + contacts.records.duplicates).toBe(contacts.records.valid);

    const user = await cli(['user', 'status', 'u-0000001', '--json'], env);
    expect(user.code).toBe(0);
    const status = JSON.parse(user.stdout);
    expect(status.userId).toBe('u-0000001');
    expect(status.campaigns).toHaveLength(1);
    expect(status.campaigns[0].campaignId).toBe(report.campaignId);
    expect(Object.keys(status.campaigns[0].categories)).toEqual(['contacts']);
    expect(Object.keys(status.campaigns[0].categories.contacts).sort()).toEqual([...STATUS_FIELDS].sort());

    const human = await cli(['user', 'status', 'u-0000001'], env);
    expect(human.stdout).toMatch(/contacts\s+(restored|partly restored): \d+ of \d+ record\(s\) back/);

    const listed = JSON.parse((await cli(['campaign', 'list', '--json'], env)).stdout);
    expect(listed.map((c: { campaignId: string }) => c.campaignId)).toEqual([report.campaignId]);
    const again = JSON.parse((await cli(['campaign', 'status', report.campaignId, '--json'], env)).stdout);
    expect(again.categories).toEqual(report.categories);
  });

  it('answers plainly for a user no campaign has touched', async () => {
    const r = await cli(['user', 'status', 'u-nobody'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('no restore campaign has data for user u-nobody');
  });
});
