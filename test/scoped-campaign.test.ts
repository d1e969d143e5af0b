/**
 * `campaign start --users FILE`: only the listed users are restored, in every wave; a
 * listed id that is not in the snapshot is reported, and the others go on.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlCollections } from '../store/control/control-collections';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { cli } from './helpers/cli';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';

describe('a campaign scoped to listed users', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('scoped'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
    dir = await mkdtemp(join(tmpdir(), 'restorectl-users-'));
  });
  afterAll(async () => h?.close());

  it('restores only the listed users, reports the ids the snapshot lacks, and refuses a bad list', async () => {
    const ids = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'];
    const snapshotDir = await writeSnapshot({
      users: ids.map((userId) => ({ userId, expected: { contacts: 1, notes: 1 } })),
      lines: {
        // u-1's line is bad: it is not listed, so it is not judged either.
        contacts: ['{"userId": "u-1", broken', ...ids.slice(1).map((u) => recordLine(u, `c-${u}`, T, { displayName: `Person ${u}` }))],
        notes: ids.map((u) => recordLine(u, `n-${u}`, T, { title: 'a note', body: 'kept' })),
      },
    });
    const list = join(dir, 'vip.txt');
    await writeFile(list, '# users who called support\nu-2\n\nu-4\nu-404\nu-2\n');

    const started = await h.runWorkerUntil(() =>
      cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--users', list, '--wait', '--json'], h.env),
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const report = JSON.parse(started.stdout);
    expect(report).toMatchObject({ state: 'completed', users: 2, scope: { requested: 3, unknown: 1, unknownExamples: ['u-404'] } });
    expect(report.categories.contacts.users).toMatchObject({ restored: 2, partial: 0, failed: 0, pending: 0 });
    expect(report.staging.contacts).toMatchObject({ valid: 2, quarantined: 0 });

    const c = controlCollections(h.stores.control);
    const statuses = await c.status.find({ campaignId: report.campaignId }, { sort: { category: 1, userId: 1 } }).toArray();
    expect(statuses.map((s) => `${s.category}:${s.userId}:${s.state}`)).toEqual(['contacts:u-2:restored', 'contacts:u-4:restored', 'notes:u-2:restored', 'notes:u-4:restored']);
    expect(
      (
        await h.stores.target
          .collection('contacts')
          .find({}, { sort: { userId: 1 } })
          .toArray()
      ).map((d) => d.userId),
    ).toEqual(['u-2', 'u-4']);
    expect(await c.quarantine.countDocuments({ campaignId: report.campaignId })).toBe(0);

    const text = await cli(['campaign', 'status', report.campaignId], h.env);
    expect(text.stdout).toMatch(/^scoped to 3 listed users$/m);
    expect(text.stdout).toMatch(/^not in the snapshot, so not restored: u-404$/m);

    await writeFile(join(dir, 'bad.txt'), 'u-2\nnot a user id\n');
    const bad = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--users', join(dir, 'bad.txt')], h.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.txt:2: not a user id/);
    expect((await cli(['campaign', 'start', '--snapshot', snapshotDir, '--users', join(dir, 'missing.txt')], h.env)).code).toBe(2);
    await writeFile(join(dir, 'empty.txt'), '# nobody\n');
    expect((await cli(['campaign', 'start', '--snapshot', snapshotDir, '--users', join(dir, 'empty.txt')], h.env)).stderr).toMatch(/names no user/);
    const canary = await cli(['campaign', 'start', '--snapshot', snapshotDir, '--categories', 'contacts,notes', '--users', list, '--canary', '1'], h.env);
    expect(canary.code).toBe(2);
    expect(canary.stderr).toMatch(/--canary and --users do not go together/);
  }, 120_000);
});
