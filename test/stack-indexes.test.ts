/**
 * On the local stack (FerretDB on PostgreSQL), a declared index serves the equality
 * lookups restorectl makes: the plan PostgreSQL gives FerretDB's filter uses the GIN index
 * the stack adds beside FerretDB's own, where an undeclared field is scanned.
 */
import { type Stores, connectStores } from '../store/mongo/connection';
import { controlCollections, ensureControlIndexes } from '../store/control/control-collections';
import { stackStatus } from '../stack/stack';
import { defaultDataDir } from '../stack/layout';
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
});
