/**
 * `restorectl stack` on ports and a data folder of its own, beside the stack the other
 * tests use: up twice is harmless, down stops what up started, data and running
 * workflows survive down then up. Uses FerretDB's SQLite backend, which keeps all of
 * its data inside the data folder, so the test leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { cli } from './helpers/cli';
import { freePort } from './helpers/free-port';

describe('restorectl stack', () => {
  let dataDir: string;
  /** Ports the OS gave as free, so this stack collides with no other on the machine. */
  const ports = { temporal: 0, temporalUi: 0, mongo: 0 };
  const portArgs = () => ['--temporal-port', String(ports.temporal), '--temporal-ui-port', String(ports.temporalUi), '--mongo-port', String(ports.mongo)];
  const stack = (verb: string, ...extra: string[]) => cli(['stack', verb, '--data-dir', dataDir, ...(verb === 'up' ? [...portArgs(), '--backend', 'sqlite'] : []), ...extra]);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stack-'));
    ports.temporal = await freePort();
    ports.temporalUi = await freePort();
    ports.mongo = await freePort();
  });

  afterAll(async () => {
    await stack('down');
    await rm(dataDir, { recursive: true, force: true });
  });

  async function status() {
    const r = await stack('status', '--json');
    return { code: r.code, ...(JSON.parse(r.stdout) as { services: { service: string; pid: number | null; answers: boolean }[] }) };
  }

  it('names a missing prerequisite in one line and exits 2', async () => {
    const tools = await mkdtemp(join(tmpdir(), 'no-tools-'));
    const r = await cli(['stack', 'up', '--data-dir', dataDir, ...portArgs()], { PATH: '/nonexistent', RESTORE_TOOLS_DIR: tools });
    await rm(tools, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^restorectl: python3 is not installed: .*apt-get install python3 python3-venv\)\n$/);
  });

  it('comes up, stays up on a second `up`, goes down, and keeps data and workflows across a restart', async () => {
    const up = await stack('up', '--json');
    expect(up.code).toBe(0);
    const env = JSON.parse(up.stdout);
    expect(env).toMatchObject({ TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`, MONGODB_URI: `mongodb://127.0.0.1:${ports.mongo}/` });
    const first = await status();
    expect(first.code).toBe(0);
    expect(first.services.map((s) => [s.service, s.answers])).toEqual([
      ['ferretdb', true],
      ['temporal', true],
    ]);

    const again = await stack('up', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(env);
    expect((await status()).services.map((s) => s.pid)).toEqual(first.services.map((s) => s.pid));

    const mongo = await MongoClient.connect(env.MONGODB_URI);
    await mongo
      .db('survives')
      .collection('c')
      .insertOne({ _id: 'kept' as never, n: 1 });
    await mongo.close();
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    // No worker polls this queue: the workflow stays running until terminated.
    await new Client({ connection }).workflow.start('campaignWorkflow', { taskQueue: 'nobody-polls', workflowId: 'survives-restart', args: [] });
    await connection.close();

    expect((await stack('down')).code).toBe(0);
    const down = await status();
    expect(down.code).toBe(1);
    expect(down.services.every((s) => s.pid === null && !s.answers)).toBe(true);

    expect((await stack('up')).code).toBe(0);
    const mongoAgain = await MongoClient.connect(env.MONGODB_URI);
    expect(
      await mongoAgain
        .db('survives')
        .collection('c')
        .findOne({ _id: 'kept' as never }),
    ).toMatchObject({ n: 1 });
    await mongoAgain.close();
    const connectionAgain = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const handle = new Client({ connection: connectionAgain }).workflow.getHandle('survives-restart');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
    await connectionAgain.close();
  });
});
