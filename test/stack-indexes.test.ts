/**
 * On the local stack (FerretDB on PostgreSQL), a declared index serves the equality
 * lookups restorectl makes: the plan PostgreSQL gives FerretDB's filter uses the GIN index
 * the stack adds beside FerretDB's own, where an undeclared field is scanned.
 */
import { type Stores, connectStores } from '../store/mongo/connection';
import { controlCollections, ensureControlIndexes } from '../store/control/control-collections';
import { randomBytes } from 'node:crypto';
import { stackStatus } from '../stack/stack';
import { defaultDataDir, stackPaths } from '../stack/layout';
import { FERRETDB_DATABASE, findPostgresBin, psql } from '../stack/postgres';
import { isolatedEnv } from './helpers/test-env';

/** The names of the indexes in the PostgreSQL plan FerretDB reports for a find. */
function indexesIn(plan: unknown): string[] {
  if (typeof plan !== 'object' || plan === null) return [];
  const own = (plan as Record<string, unknown>)['Index Name'];
  return [...(typeof own === 'string' ? [own] : []), ...Object.values(plan).flatMap(indexesIn)];
}

describe('indexes on the local stack', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await connectStores(isolatedEnv('indexes'));
  });
  afterAll(async () => {
    await stores.target.dropDatabase();
    await stores.control.dropDatabase();
    await stores.client.close();
  });

  it('stack status says the indexes are served', async () => {
    expect((await stackStatus(defaultDataDir())).indexesServed).toBe(true);
  });

  it("serves an application's userId lookups, and the control lookups, from an index", async () => {
    const live = stores.target.collection('contacts');
    await live.insertMany(Array.from({ length: 2000 }, (_, i) => ({ userId: `u-${i % 200}`, recordId: `c-${i}`, n: i })));
    await live.createIndex({ userId: 1, recordId: 1 }, { unique: true });
    expect(indexesIn(await live.find({ userId: 'u-7' }).explain()).some((name) => name.endsWith('_gin'))).toBe(true);
    expect(indexesIn(await live.find({ n: 7 }).explain())).toEqual([]);

    const c = controlCollections(stores.control);
    await ensureControlIndexes(c);
    await c.staged.insertOne({ _id: 'x', campaignId: 'c', category: 'contacts', userId: 'u-1', linesJson: '[]' });
    expect(indexesIn(await c.staged.find({ campaignId: 'c', category: 'contacts', userId: 'u-1' }).explain()).length).toBeGreaterThan(0);
  });

  it('serves a lookup from an index where large documents leave a table few pages of its own, once PostgreSQL has counted them', async () => {
    const c = controlCollections(stores.control);
    await ensureControlIndexes(c);
    // Staged pages as a campaign writes them: a few hundred documents, each tens of kilobytes kept out of line.
    const pages = Array.from({ length: 300 }, (_, i) => ({
      _id: `big|${i}`,
      campaignId: 'big',
      category: 'contacts' as const,
      page: `big|contacts|${i}`,
      usersJson: randomBytes(20_000).toString('base64'),
    }));
    await c.staged.insertMany(pages);
    const { options } = await stackStatus(defaultDataDir());
    // What autovacuum does by itself some time after the inserts: PostgreSQL then prices a scan by the table's own pages alone.
    const analyze = `DO $$ DECLARE t record; BEGIN FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = '${stores.control.databaseName}' LOOP EXECUTE format('ANALYZE %I.%I', t.schemaname, t.tablename); END LOOP; END $$`;
    await psql(findPostgresBin(), stackPaths(defaultDataDir()).postgresSockets, options!.postgresPort, analyze, FERRETDB_DATABASE);
    expect(indexesIn(await c.staged.find({ page: 'big|contacts|7' }).explain()).some((name) => name.endsWith('_gin'))).toBe(true);
  });
});
