/**
 * The operator's choices reach the batch: each conflict policy and `--no-dedupe`, started
 * through the CLI and through the API, over the same live store — a document older than
 * its recovered version, one newer, a contact the user re-entered under another id, and a
 * record with no live document — asserted document by document.
 */
import type { FastifyInstance } from 'fastify';
import { waitForCampaign } from '../client/campaigns';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { apiServer, bearer, OPERATOR_TOKEN } from './helpers/api-server';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const RECOVERED_AT = '2009-09-30T18:02:11Z';
const OLDER = new Date('2009-09-29T00:00:00Z');
const NEWER = new Date('2026-01-05T00:00:00Z');

/** The live store before each run: what the user holds after the outage. */
const LIVE = [
  { userId: 'u-1', recordId: 'c-old', updatedAt: OLDER, data: { displayName: 'live, older' } },
  { userId: 'u-1', recordId: 'c-new', updatedAt: NEWER, data: { displayName: 'live, newer' } },
  // The user typed this contact in again after the outage, under an id of its own.
  { userId: 'u-1', recordId: 'app-1', updatedAt: NEWER, data: { displayName: 'Dee, typed again', emails: [{ address: 'dee@example.com' }] } },
];

/** What each record holds after a run, by its recordId: its display name. */
type LiveState = Record<string, string>;

const RECOVERED_ALL: LiveState = { 'c-old': 'recovered old', 'c-new': 'recovered new', 'c-fresh': 'recovered fresh' };

describe('conflict policies and de-duplication, from the CLI and the API to the live store', () => {
  let h: Harness;
  let app: FastifyInstance;
  let call: Awaited<ReturnType<typeof apiServer>>['call'];
  let snapshotDir: string;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('policies'));
    await createApplicationIndexes(h.stores.target, ['contacts']);
    ({ app, call } = await apiServer(h));
    snapshotDir = await writeSnapshot({
      users: [{ userId: 'u-1', expected: { contacts: 4 } }],
      lines: {
        contacts: [
          recordLine('u-1', 'c-old', RECOVERED_AT, { displayName: 'recovered old' }),
          recordLine('u-1', 'c-new', RECOVERED_AT, { displayName: 'recovered new' }),
          recordLine('u-1', 'c-dup', RECOVERED_AT, { displayName: 'Dee', emails: [{ address: 'DEE@example.com' }] }),
          recordLine('u-1', 'c-fresh', RECOVERED_AT, { displayName: 'recovered fresh' }),
        ],
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  /** The live contacts by recordId, after resetting them to {@link LIVE} and running `start`. */
  async function liveAfter(start: () => Promise<string>): Promise<LiveState> {
    const contacts = h.stores.target.collection('contacts');
    await contacts.deleteMany({});
    await contacts.insertMany(LIVE.map((d) => ({ ...d })));
    const report = await h.runWorkerUntil(async () => waitForCampaign(h.client, await start(), undefined, 200));
    expect(report.state).toBe('completed');
    const docs = await contacts.find({}).toArray();
    return Object.fromEntries(docs.map((d) => [d.recordId, d.data.displayName]));
  }

  const viaCli = (flags: string[]) => async () => {
    const run = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts', '--no-worker-check', '--json', ...flags], h.env);
    expect([run.code, run.stderr]).toEqual([0, '']);
    return JSON.parse(run.stdout).campaignId as string;
  };
  const viaApi = (body: object) => async () => {
    const response = await call({ method: 'POST', url: '/api/campaigns', headers: bearer(OPERATOR_TOKEN), payload: { snapshot: snapshotDir, categories: ['contacts'], ...body } });
    expect(response.statusCode).toBe(201);
    return response.json().campaignId as string;
  };

  const kept = { 'app-1': 'Dee, typed again' };
  const cases: [string, LiveState][] = [
    // Keep-newer, the default: the older live document is replaced, the newer kept; the re-entered contact is not added twice.
    ['keep-newer', { ...kept, 'c-old': 'recovered old', 'c-new': 'live, newer', 'c-fresh': 'recovered fresh' }],
    ['overwrite', { ...kept, ...RECOVERED_ALL }],
    ['keep-live', { ...kept, 'c-old': 'live, older', 'c-new': 'live, newer', 'c-fresh': 'recovered fresh' }],
    ['keep-newer, no de-duplication', { ...kept, 'c-old': 'recovered old', 'c-new': 'live, newer', 'c-dup': 'Dee', 'c-fresh': 'recovered fresh' }],
  ];
  const flagsOf: Record<string, string[]> = {
    'keep-newer': [],
    overwrite: ['--policy', 'overwrite'],
    'keep-live': ['--policy', 'keep-live'],
    'keep-newer, no de-duplication': ['--no-dedupe'],
  };
  const bodyOf: Record<string, object> = {
    'keep-newer': {},
    overwrite: { policy: 'overwrite' },
    'keep-live': { policy: 'keep-live' },
    'keep-newer, no de-duplication': { dedupe: false },
  };

  it.each(cases)('%s through the CLI', async (name, expected) => {
    expect(await liveAfter(viaCli(flagsOf[name]))).toEqual(expected);
  });

  it.each(cases)('%s through the API', async (name, expected) => {
    expect(await liveAfter(viaApi(bodyOf[name]))).toEqual(expected);
  });
});
