/**
 * The CLI as incident and support staff use it: the compiled `restorectl` in child
 * processes, a `restorectl worker` process, the real stack.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignWorkflowId, connectTemporal } from '../client/temporal';
import { connectStores } from '../store/mongo/connection';
import { cli, type CliResult, startWorker, stopWorker, untilWorkerPolls } from './helpers/cli';
import { writeSnapshot } from './helpers/snapshot-builder';
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
    [['snapshot', 'generate', '/etc/passwd', '--users', '2']],
    // node's recursive mkdir spins for good where a file system answers ENOENT under a folder that exists.
    [['snapshot', 'generate', '/proc/nope', '--users', '1']],
    [['campaign', 'start', '--snapshot', '/tmp', '--users', '/nonexistent/users.txt']],
  ])('%j exits 2 with a one-line error', async (args) => {
    expectOneLineError(await cli(args));
  });

  // With no server to ask, only a check made before asking can answer: exit 2, at once.
  it.each([
    [['campaign', 'set', 'c-1'], /say what to change/],
    [['campaign', 'set', 'c-1', '--max-records-per-second', '5', '--no-max-records-per-second'], /choose differently/],
    [['campaign', 'set', 'c-1', '--no-max-records-per-second', '--max-records-per-second=5'], /choose differently/],
    [['campaign', 'set', 'c-1', '--concurrency', '0'], /concurrency/],
    [['replay', 'c-1'], /say what to replay/],
    [['replay', 'c-1', '--all-failed', '--unfinished'], /choose differently/],
  ])('%j is refused before any server is asked', async (args, message) => {
    expectOneLineError(await cli(args, { TEMPORAL_ADDRESS: '127.0.0.1:1', MONGODB_URI: 'mongodb://127.0.0.1:1/' }), message);
  });

  it('under --json, writes the error as one JSON object on stderr, usage errors too', async () => {
    const usage = await cli(['snapshot', 'generate', '/tmp/x', '--users', '0', '--json']);
    expect([usage.code, usage.stdout, JSON.parse(usage.stderr)]).toEqual([2, '', { error: expect.stringMatching(/--users.*from 1 to/), class: 'UsageError', exitCode: 2 }]);
    const missing = await cli(['snapshot', 'verify', '/nonexistent/snapshot', '--json']);
    expect([missing.code, missing.stdout, JSON.parse(missing.stderr)]).toEqual([
      2,
      '',
      { error: expect.stringMatching(/not a snapshot/), class: 'SnapshotFormatError', exitCode: 2 },
    ]);
    const unreachable = await cli(['campaign', 'list', '--json'], { MONGODB_URI: 'mongodb://127.0.0.1:1/' });
    expect([unreachable.code, JSON.parse(unreachable.stderr)]).toEqual([
      1,
      { error: expect.stringMatching(/does not answer at MONGODB_URI/), class: 'StoreUnavailableError', exitCode: 1 },
    ]);
  });

  it('campaign cancel asks for confirmation, and with no terminal to ask on needs --yes', async () => {
    // No Temporal at this address: had the command gone ahead unasked, it would fail otherwise (exit 1).
    expectOneLineError(await cli(['campaign', 'cancel', 'c-1'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }), /no terminal to ask on: give --yes/);
    const told = await cli(['campaign', 'cancel', 'c-1', '--yes'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect([told.code, told.stderr]).toEqual([1, expect.stringMatching(/^restorectl: Temporal does not answer/)]);
  });

  it('version names the servers it reaches, and says which it cannot', async () => {
    const reached = await cli(['version', '--json']);
    expect(reached.code).toBe(0);
    expect(JSON.parse(reached.stdout)).toEqual({
      restorectl: expect.stringMatching(/^\d+\.\d+\.\d+/),
      node: process.version,
      temporal: { address: expect.any(String), version: expect.stringMatching(/^\d+\.\d+/) },
      // FerretDB built from its module does not know its own version: it says "unknown".
      store: { address: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+ \(FerretDB \S+\)$/) },
    });
    const away = await cli(['version'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(away.code).toBe(0);
    expect(away.stdout).toMatch(/^temporal\s+unreachable at 127\.0\.0\.1:1: Temporal does not answer/m);
    expect(away.stdout).toMatch(/^store\s+\d/m);
  });

  it('stack status on a folder with no stack says so and exits non-zero', async () => {
    const r = await cli(['stack', 'status', '--data-dir', await mkdtemp(join(tmpdir(), 'no-stack-'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^no stack was started in /);
  });
});

function expectOneLineError(r: CliResult, mentioning?: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^restorectl: /);
  if (mentioning) expect(lines[0]).toMatch(mentioning);
}

describe('bounds on a campaign', () => {
  it.each([
    ['--batch-size', '1e9', /--batch-size.*from 1 to 1,000$/],
    ['--concurrency', '99999999999', /--concurrency.*from 1 to 64$/],
  ])('%s %s is refused with the limit, on a snapshot that is otherwise fine', async (flag, value, message) => {
    const dir = await writeSnapshot({ users: [{ userId: 'u-1' }], lines: { contacts: [] } });
    expectOneLineError(await cli(['campaign', 'start', '--snapshot', dir, flag, value], { TEMPORAL_ADDRESS: '127.0.0.1:1' }), message);
  });
});

describe('restorectl in a bad environment', () => {
  it.each([
    [{ MONGODB_URI: 'garbage' }, 'MONGODB_URI'],
    [{ MONGODB_URI: 'mongodb://a:b:c@' }, 'MONGODB_URI'],
    [{ MONGODB_URI: 'mongodb://host:99999/' }, 'MONGODB_URI'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ TEMPORAL_ADDRESS: '' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_ADDRESS: '::::' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS'],
  ])('%j: one line naming the variable, exit 2; --help still works', async (env, variable) => {
    expectOneLineError(await cli(['campaign', 'list'], env), variable);
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
  });

  it.each([
    [
      ['campaign', 'list'],
      { MONGODB_URI: 'mongodb://someone:s3cret@127.0.0.1:1/' },
      /^restorectl: the store does not answer at MONGODB_URI=mongodb:\/\/…@127\.0\.0\.1:1\/: start the local stack \(restorectl stack up\), or set MONGODB_URI/,
    ],
    [
      ['campaign', 'pause', 'c-1'],
      { TEMPORAL_ADDRESS: '127.0.0.1:1' },
      /^restorectl: Temporal does not answer at TEMPORAL_ADDRESS=127\.0\.0\.1:1 .*: start the local stack \(restorectl stack up\), or set TEMPORAL_ADDRESS/,
    ],
  ])('%j with %j: one line naming the service, the variable and what to do, exit 1', async (args, env, message) => {
    const r = await cli(args, env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('the users file is named with what is wrong with it, in words', async () => {
    const dir = await writeSnapshot({ users: [{ userId: 'u-1' }], lines: { contacts: [] } });
    expectOneLineError(await cli(['campaign', 'start', '--snapshot', dir, '--users', join(dir, 'missing.txt')]), /the users file \S+missing\.txt is missing$/);
    expectOneLineError(await cli(['campaign', 'start', '--snapshot', dir, '--users', dir]), /the users file \S+ is a directory, not a file$/);
  });

  it('a worker that cannot reach Temporal says where it tried, and exits non-zero', async () => {
    const r = await cli(['worker'], { ...isolatedEnv('noworker'), TEMPORAL_ADDRESS: '127.0.0.1:1', RESTORE_CONNECT_TIMEOUT_SECONDS: '3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Temporal at 127.0.0.1:1 did not answer within 3 s');
  });
});

describe('campaign start with no worker to run it', () => {
  it('warns that the campaign will not move until one runs, unless told not to ask', async () => {
    const env = isolatedEnv('noworkerq');
    const dir = await writeSnapshot({ users: [{ userId: 'u-1' }], lines: { contacts: [] } });
    const client = await connectTemporal(env);
    try {
      for (const [flags, warned] of [
        [[], true],
        [['--no-worker-check'], false],
      ] as const) {
        const r = await cli(['campaign', 'start', '--snapshot', dir, '--categories', 'contacts', '--allow-unindexed', '--json', ...flags], env);
        expect(r.code).toBe(0);
        expect(r.stderr.includes(`warning: no worker polls task queue ${env.RESTORE_TASK_QUEUE}: the campaign waits`)).toBe(warned);
        await client.workflow.getHandle(campaignWorkflowId(JSON.parse(r.stdout).campaignId)).terminate('test: no worker runs it');
      }
    } finally {
      await client.connection.close();
    }
  });
});

describe('campaign start on a snapshot with bad files', () => {
  const broken: [string, (dir: string) => Promise<unknown>, RegExp][] = [
    ['users.ndjson missing', (dir) => unlink(join(dir, 'users.ndjson')), /users\.ndjson is missing/],
    ['a category file that is a directory', (dir) => mkdir(join(dir, 'notes.ndjson')), /notes\.ndjson is a directory/],
    ['a category file that is a dangling symlink', (dir) => symlink(join(dir, 'nowhere'), join(dir, 'tasks.ndjson')), /tasks\.ndjson is a broken symbolic link/],
    [
      'blobs/ that is a file',
      async (dir) => {
        await rm(join(dir, 'blobs'), { recursive: true });
        await writeFile(join(dir, 'blobs'), '');
      },
      /blobs is not a directory/,
    ],
  ];
  it.each(broken)('%s: exit 2 before anything starts, one line naming the file', async (_, breakIt, message) => {
    const dir = await writeSnapshot({ users: [{ userId: 'u-1' }], lines: { contacts: [] } });
    await breakIt(dir);
    // No Temporal at this address: had the command tried to start anything, it would fail otherwise.
    expectOneLineError(await cli(['campaign', 'start', '--snapshot', dir], { TEMPORAL_ADDRESS: '127.0.0.1:1' }), message);
  });
});

describe('a campaign driven through the CLI', () => {
  const env = isolatedEnv('cli');
  let worker: ChildProcess;
  let snapshotDir: string;

  beforeAll(async () => {
    snapshotDir = join(await mkdtemp(join(tmpdir(), 'cli-')), 'snapshot');
    worker = startWorker(env);
    // As the live application should have it (README, "The insert race"): then no warning.
    const stores = await connectStores(env);
    await stores.target.collection('contacts').createIndex({ userId: 1, recordId: 1 }, { unique: true });
    await stores.client.close();
    // Else the first start's "no worker polls" warning depends on how long the tests before it took.
    await untilWorkerPolls(env);
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

  it('runs the worker in a node whose heap is bounded', async () => {
    let child: string | undefined;
    for (let tries = 0; !child && tries < 100; tries++) {
      [child] = (await readFile(`/proc/${worker.pid}/task/${worker.pid}/children`, 'utf8')).split(' ').filter(Boolean);
      if (!child) await new Promise((r) => setTimeout(r, 100));
    }
    expect((await readFile(`/proc/${child}/cmdline`, 'utf8')).split('\0')).toEqual(expect.arrayContaining(['--max-old-space-size=384', 'worker']));
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

  it('refuses a live collection with no index led by userId, unless told to go on, and warns without the unique index', async () => {
    const refused = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--json'], env);
    // Under --json, the refusal is a JSON object on stderr.
    expect([refused.code, refused.stdout, JSON.parse(refused.stderr)]).toEqual([
      2,
      '',
      { error: expect.stringMatching(/^no index led by userId on notes in app_\S+: .*--allow-unindexed$/), class: 'InputError', exitCode: 2 },
    ]);

    const r = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--allow-unindexed', '--wait', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toMatch(/^warning: no unique index on \(userId, recordId\) in notes of app_\S+: /);
    expect(JSON.parse(r.stdout).state).toBe('completed');
  });

  it('answers plainly for a user no campaign has touched', async () => {
    const r = await cli(['user', 'status', 'u-nobody'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('no restore campaign has data for user u-nobody');
  });
});
