/**
 * The HTTP API of `restorectl serve` against the real stack: every route refuses a request
 * without a known token (401) and a support token on operator routes (403), refuses bad
 * input (400) with nothing started, and does its work; every operator action is audited;
 * the request log names routes, never user ids or tokens.
 */
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { waitForCampaign, waitForProgress } from '../client/campaigns';
import { controlCollections } from '../store/control/control-collections';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { ROUTES } from '../server/routes';
import { apiServer, bearer, OPERATOR_TOKEN, SUPPORT_TOKEN } from './helpers/api-server';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli, startWorker, stopWorker } from './helpers/cli';
import { freePort } from './helpers/free-port';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
/** A route's URL with its parameters filled in. */
const filled = (url: string) => url.replace(':userId', 'u-1').replace(':id', 'c-no-such-campaign');

describe('the HTTP API', () => {
  let h: Harness;
  let app: FastifyInstance;
  let call: Awaited<ReturnType<typeof apiServer>>['call'];
  let logLines: string[];
  let snapshotDir: string;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('api'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
    ({ app, call, logLines } = await apiServer(h));
    const users = Array.from({ length: 6 }, (_, i) => `u-${i + 1}`);
    snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        contacts: users.map((u) => recordLine(u, `c-${u}`, T, { displayName: `Person ${u}` })),
        notes: [
          ...users.slice(1).map((u) => recordLine(u, `n-${u}`, T, { title: 'a note', body: 'kept' })),
          { ...recordLine('u-1', 'n-u-1', T, { title: 'bad', body: 'digest' }), sha256: 'f'.repeat(64) },
        ],
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it.each([...ROUTES.map((r) => [r.method, r.url] as const), ['GET', '/api/openapi.json'] as const])('%s %s needs a known token: 401', async (method, url) => {
    for (const headers of [{}, bearer('not-a-known-token-0123456789'), { authorization: SUPPORT_TOKEN }]) {
      const response = await call({ method, url: filled(url), headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.json().error).toMatch(/bearer token/);
    }
  });

  it.each(ROUTES.filter((r) => r.role === 'operator').map((r) => [r.method, r.url] as const))(
    '%s %s is refused to a support token: 403, nothing started, audited nowhere',
    async (method, url) => {
      const c = controlCollections(h.stores.control);
      const before = await c.campaigns.countDocuments();
      const response = await call({ method, url: filled(url), headers: bearer(SUPPORT_TOKEN), payload: { snapshot: snapshotDir } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toBe('the support role may not do this; it needs operator');
      expect(await c.campaigns.countDocuments()).toBe(before);
      expect(await c.audit.countDocuments({ actor: 'sam' })).toBe(0);
    },
  );

  it('refuses bad input with 400 and a message, starting nothing', async () => {
    const c = controlCollections(h.stores.control);
    const before = await c.campaigns.countDocuments();
    const cases: [string, string, unknown, RegExp][] = [
      ['GET', '/api/users/not%20an%20id/status', undefined, /^path\.userId: must be 1–128 characters/],
      ['GET', '/api/campaigns/c-1/failures?category=bogus', undefined, /^query\.category: /],
      ['GET', '/api/audit?campaign=a%20b', undefined, /^query\.campaign: must be a campaign id/],
      ['GET', '/api/events?after=not-a-cursor', undefined, /^not an events cursor: not-a-cursor$/],
      ['GET', '/api/events?limit=0', undefined, /^query\.limit: /],
      ['POST', '/api/campaigns', {}, /^body\.snapshot: /],
      ['POST', '/api/campaigns', { snapshot: snapshotDir, categories: ['contacts', 'bogus'] }, /^body\.categories\.1: /],
      ['POST', '/api/campaigns', { snapshot: snapshotDir, batchSize: 0 }, /^body\.batchSize: /],
      ['POST', '/api/campaigns', { snapshot: snapshotDir, unknownField: 1 }, /^body: .*unknownField/],
      ['POST', '/api/campaigns', { snapshot: join(tmpdir(), 'nonexistent-snapshot') }, /nonexistent-snapshot is not a snapshot/],
      // Outside the server's --snapshot-root (the temp folder here), whether it exists or not.
      ['POST', '/api/campaigns', { snapshot: '/etc' }, /^snapshot \/etc is outside the folders this server may read/],
      ['POST', '/api/campaigns', { snapshot: join(snapshotDir, '..', '..', 'etc') }, /is outside the folders this server may read/],
      ['POST', '/api/campaigns/c-1/replay', { allFailed: true, snapshot: '/etc' }, /^snapshot \/etc is outside the folders this server may read/],
      ['POST', '/api/campaigns', { snapshot: snapshotDir, categories: ['contacts'], users: ['u-1'], canary: 1 }, /--canary and --users do not go together/],
      ['POST', '/api/campaigns', { snapshot: snapshotDir }, /no index led by userId on calendar, tasks, photos, scores/],
      ['POST', '/api/campaigns/c-1/replay', { allFailed: 'yes' }, /^body\.allFailed: /],
      ['POST', '/api/campaigns/c-1/pace', { concurrency: '2' }, /^body\.concurrency: /],
    ];
    for (const [method, url, payload, message] of cases) {
      const response = await call({ method: method as 'GET' | 'POST', url, headers: bearer(OPERATOR_TOKEN), ...(payload === undefined ? {} : { payload: payload as object }) });
      expect([url, response.statusCode]).toEqual([url, 400]);
      expect(response.json().error).toMatch(message);
    }
    expect(await c.campaigns.countDocuments()).toBe(before);
    // A refused start is audited as refused, with the reason.
    expect(await c.audit.findOne({ actor: 'olga', action: 'start', outcome: 'refused' })).toMatchObject({
      via: 'api',
      campaignId: null,
      message: expect.stringMatching(/not a snapshot|do not go together/),
    });
    const unknown = await call({ method: 'GET', url: '/api/campaigns/c-no-such-campaign', headers: bearer(SUPPORT_TOKEN) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'no campaign c-no-such-campaign' });
  });

  it('serves each route to the role that may call it, audits every operator action, and logs no user id nor token', async () => {
    const get = async (url: string, token = SUPPORT_TOKEN) => {
      const response = await call({ method: 'GET', url, headers: bearer(token) });
      expect([url, response.statusCode]).toEqual([url, 200]);
      return response.json();
    };
    const post = async (url: string, payload: object | undefined, status: number) => {
      const response = await call({ method: 'POST', url, headers: bearer(OPERATOR_TOKEN), ...(payload ? { payload } : {}) });
      expect([url, response.statusCode, response.json()]).toEqual([url, status, expect.anything()]);
      return response.json();
    };

    expect(await get('/api/whoami')).toEqual({ name: 'sam', role: 'support' });
    expect(await get('/api/whoami', OPERATOR_TOKEN)).toEqual({ name: 'olga', role: 'operator' });
    const openapi = await get('/api/openapi.json');
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/users/{userId}/status', '/api/campaigns', '/api/campaigns/{id}/replay']));
    expect(openapi.paths['/api/campaigns'].post.requestBody.content['application/json'].schema.required).toEqual(['snapshot']);

    // A campaign held to a slow pace, steered through the API while a worker runs it.
    const { campaignId, warnings } = await post(
      '/api/campaigns',
      { snapshot: snapshotDir, categories: ['contacts', 'notes'], batchSize: 1, concurrency: 1, maxRecordsPerSecond: 2 },
      201,
    );
    // Started before its worker runs: the answer says the campaign will not move until one does.
    expect(warnings).toEqual([expect.stringMatching(/^no worker polls task queue test-api_\w+: the campaign waits/)]);
    await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring');
      expect((await get(`/api/campaigns/${campaignId}`)).progress.phase).toBe('restoring');
      await post(`/api/campaigns/${campaignId}/pause`, undefined, 200);
      await waitForProgress(h.client, campaignId, (p) => p.paused);
      const refused = await call({ method: 'POST', url: `/api/campaigns/${campaignId}/pace`, headers: bearer(OPERATOR_TOKEN), payload: { concurrency: 0 } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatch(/refused the change: concurrency/);
      expect((await post(`/api/campaigns/${campaignId}/pace`, { concurrency: 2, maxRecordsPerSecond: null }, 200)).pace).toEqual({ concurrency: 2, maxRecordsPerSecond: null });
      await post(`/api/campaigns/${campaignId}/resume`, undefined, 200);
      await waitForCampaign(h.client, campaignId, undefined, 200);
    });
    const detail = await get(`/api/campaigns/${campaignId}`);
    expect(detail).toMatchObject({ campaignId, state: 'completed', progress: null, categories: { notes: { users: { partial: 1, restored: 5 } } } });
    expect((await get(`/api/campaigns/${campaignId}/failures?category=notes`)).quarantined).toEqual([expect.objectContaining({ reason: 'digest-mismatch', count: 1 })]);
    expect((await get('/api/campaigns')).map((c: { campaignId: string }) => c.campaignId)).toContain(campaignId);
    const status = await get('/api/users/u-1/status');
    expect(status.campaigns[0].categories.notes).toMatchObject({ state: 'partial', quarantined: 1 });
    const summary = await get('/api/users/u-1/summary');
    expect(summary.campaigns[0].categories).toEqual([
      { category: 'contacts', state: 'restored', words: 'restored: 1 of 1 record(s) back' },
      { category: 'notes', state: 'partial', words: 'partly restored: 0 of 1 record(s) back; 1 damaged in the backup and held back' },
    ]);

    // The outbox: an event per user-category and per user (six users, two categories), once settled, then a cursor that reads nothing new.
    let events = await get(`/api/events?campaign=${campaignId}&limit=1000`);
    for (let tries = 0; events.events.length < 18 && tries < 60; tries++) {
      await new Promise((r) => setTimeout(r, 1000));
      events = await get(`/api/events?campaign=${campaignId}&limit=1000`);
    }
    expect(events.events.filter((e: { category: string | null }) => e.category === null)).toHaveLength(6);
    expect(events.events).toHaveLength(18);
    expect((await get(`/api/events?campaign=${campaignId}&after=${events.next}`)).events).toEqual([]);

    // A replay answers once started; a second campaign is cancelled while it runs.
    const replay = await h.runWorkerUntil(async () => {
      const started = await post(`/api/campaigns/${campaignId}/replay`, { users: ['u-1'] }, 202);
      await h.client.workflow.getHandle(started.replayWorkflowId).result();
      return started;
    });
    expect(replay).toEqual({ campaignId, replayWorkflowId: `replay-${campaignId}` });
    const second = await post('/api/campaigns', { snapshot: snapshotDir, categories: ['contacts'], batchSize: 1, concurrency: 1, maxRecordsPerSecond: 1 }, 201);
    await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, second.campaignId, (p) => p.outcome.restored >= 1);
      await post(`/api/campaigns/${second.campaignId}/cancel`, undefined, 200);
    });
    expect((await get(`/api/campaigns/${second.campaignId}`)).state).toBe('cancelled');

    const audit = await get(`/api/audit?campaign=${campaignId}`);
    expect(audit.map((a: { action: string; outcome: string }) => `${a.action}:${a.outcome}`)).toEqual([
      'replay:ok',
      'resume:ok',
      'set-pace:ok',
      'set-pace:refused',
      'pause:ok',
      'start:ok',
    ]);
    expect(audit.every((a: { actor: string; via: string }) => a.actor === 'olga' && a.via === 'api')).toBe(true);
    expect(audit[5].args).toMatchObject({ snapshotDir, categories: ['contacts', 'notes'], maxRecordsPerSecond: 2 });
    expect((await get(`/api/audit?campaign=${second.campaignId}`)).map((a: { action: string }) => a.action)).toEqual(['cancel', 'start']);
    // The CLI lists the same log.
    const listed = await cli(['audit', '--campaign', campaignId, '--json'], h.env);
    expect(JSON.parse(listed.stdout)).toHaveLength(6);

    // An undo, counted only: it answers once started, changes nothing, and is audited.
    const liveBefore = await h.stores.target.collection('contacts').countDocuments();
    const undo = await h.runWorkerUntil(async () => {
      const started = await post(`/api/campaigns/${campaignId}/undo`, { dryRun: true }, 202);
      const result = await h.client.workflow.getHandle(started.undoWorkflowId).result();
      return { started, result };
    });
    expect(undo.started).toEqual({ campaignId, undoWorkflowId: `undo-${campaignId}` });
    expect(undo.result.categories.find((c: { category: string }) => c.category === 'contacts')).toMatchObject({ users: 6, removed: 6, putBack: 0 });
    expect(await h.stores.target.collection('contacts').countDocuments()).toBe(liveBefore);
    expect((await get(`/api/audit?campaign=${campaignId}`))[0]).toMatchObject({ action: 'undo-dry-run', outcome: 'ok' });

    const log = logLines.join('\n');
    expect(log).toMatch(/"route":"\/api\/users\/:userId\/status"/);
    expect(log).not.toMatch(/u-1/);
    expect(log).not.toContain(OPERATOR_TOKEN);
    expect(log).not.toContain(SUPPORT_TOKEN);
  }, 180_000);

  it('audits the operator actions of the CLI too, under the local user', async () => {
    const refused = await cli(['campaign', 'pause', 'c-no-such-campaign'], h.env);
    expect(refused.code).toBe(2);
    const entries = JSON.parse((await cli(['audit', '--campaign', 'c-no-such-campaign', '--json'], h.env)).stdout);
    expect(entries).toEqual([
      expect.objectContaining({
        via: 'cli',
        action: 'pause',
        campaignId: 'c-no-such-campaign',
        outcome: 'refused',
        message: 'no campaign c-no-such-campaign',
        actor: userInfo().username,
      }),
    ]);
    expect((await cli(['audit', '--campaign', 'c-no-such-campaign'], h.env)).stdout).toMatch(/\bcli\s+pause\s+c-no-such-campaign\s+refused: no campaign c-no-such-campaign/);
  });

  it('`serve` refuses to start without tokens unless --insecure-local', async () => {
    const refused = await cli(['serve', '--port', '1'], { ...h.env, RESTORE_API_TOKENS: undefined, RESTORE_API_TOKENS_FILE: undefined });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/serve needs API tokens/);
    const bad = await cli(['serve', '--port', '1'], { ...h.env, RESTORE_API_TOKENS: 'short:operator' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/RESTORE_API_TOKENS: entry 1/);

    // Without tokens, on loopback only, every caller is the local operator.
    const port = await freePort();
    const server = startWorker({ ...h.env, RESTORE_API_TOKENS: undefined, LOG_LEVEL: 'warn' }, ['serve', '--insecure-local', '--port', String(port), '--host', '0.0.0.0']);
    try {
      let said = '';
      server.stderr!.on('data', (d) => (said += d));
      for (let waited = 0; !said.includes('serving on') && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(said).toContain(`serving on http://127.0.0.1:${port}`);
      const whoami = await fetch(`http://127.0.0.1:${port}/api/whoami`);
      expect(await whoami.json()).toEqual({ name: 'local', role: 'operator' });
    } finally {
      expect(await stopWorker(server)).toBe(0);
    }
  });
  it('`serve` listens on loopback unless told another host', async () => {
    const port = await freePort();
    const server = startWorker({ ...h.env, RESTORE_API_TOKENS: `${OPERATOR_TOKEN}:operator`, LOG_LEVEL: 'warn' }, ['serve', '--port', String(port)]);
    try {
      let said = '';
      server.stderr!.on('data', (d) => (said += d));
      for (let waited = 0; !said.includes('serving on') && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(said).toContain(`serving on http://127.0.0.1:${port}`);
    } finally {
      expect(await stopWorker(server)).toBe(0);
    }
  });
});
