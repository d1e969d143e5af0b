/**
 * Measures the MongoDB-wire store on the two operations restorectl leans on: finding a
 * user's documents by `userId`, and a bulk upsert keyed by (userId, recordId), in a
 * collection of N documents. Prints figures; asserts nothing.
 *
 *   node dist/bench/store.js --uri mongodb://127.0.0.1:27017/ [--docs 200000] [--lookups 50] [--upserts 1000]
 *
 * Lookups, and then upserts, stop early once --budget seconds have passed for each, so
 * a store that scans is measured without taking all day; the figures say how many ran.
 * Last, what an insert costs per document of 1, 8, 16 and 32 fields: on a store that
 * spends about as much per document as on its content, control documents (a status and an
 * event per user-category) weigh as much as records.
 */
import { Command } from 'commander';
import { type Db, MongoClient } from 'mongodb';
import { positiveIntArg } from '../cli/parse';
import { bulkWriteInChunks, INSERT_BATCH, WRITE_BATCH } from '../store/mongo/bulk';

const PER_USER = 10;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Documents per insert timed for each size, in commands of 500 as restorectl inserts (INSERT_BATCH). */
const FIELD_PROBE_DOCS = 5000;

/** Microseconds per inserted document of each number of scalar fields, into collections of their own. */
async function insertCostByFields(db: Db): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const fields of [1, 8, 16, 32]) {
    const coll = db.collection(`fields_${fields}_${process.pid}`);
    const doc = (i: number) => Object.fromEntries([['_id', `u-${i}|record-${i}`], ...Array.from({ length: fields }, (_, f) => [`field${f}`, f % 2 ? i : `value ${f}`])]);
    try {
      const [, ms] = await timed(async () => {
        for (let i = 0; i < FIELD_PROBE_DOCS; i += INSERT_BATCH) await coll.insertMany(Array.from({ length: INSERT_BATCH }, (_, k) => doc(i + k)));
      });
      figures[`${fields} fields`] = Number(((ms * 1000) / FIELD_PROBE_DOCS).toFixed(1));
    } finally {
      await coll.drop().catch(() => undefined);
    }
  }
  return figures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const opts = new Command('bench-store')
    .requiredOption('--uri <uri>', 'MongoDB URI of the store to measure')
    .option('--docs <n>', 'documents in the collection', positiveIntArg, 200_000)
    .option('--lookups <n>', 'lookups by userId to time', positiveIntArg, 50)
    .option('--upserts <n>', 'upserts in the timed bulk write', positiveIntArg, 1000)
    .option('--budget <s>', 'seconds the lookups, and the upserts, may take at most', positiveIntArg, 60)
    .parse()
    .opts();
  const client = await MongoClient.connect(opts.uri);
  const db = client.db('restorectl_bench');
  const coll = db.collection(`contacts_${process.pid}`);
  try {
    const users = Math.ceil(opts.docs / PER_USER);
    const doc = (i: number) => ({
      userId: `u-${i % users}`,
      recordId: `c-${i}`,
      updatedAt: new Date(Date.UTC(2009, 9, 1) + i * 1000),
      data: { displayName: `Contact ${i}`, emails: [{ address: `c${i}@example.com` }] },
    });
    await coll.createIndex({ userId: 1, recordId: 1 }, { unique: true });
    const [, seedMs] = await timed(async () => {
      for (let i = 0; i < opts.docs; i += 1000) {
        await coll.insertMany(Array.from({ length: Math.min(1000, opts.docs - i) }, (_, k) => doc(i + k)));
        if (i % 20_000 === 0) process.stderr.write(`seeded ${i}/${opts.docs}\r`);
      }
    });
    process.stderr.write(`seeded ${opts.docs} documents in ${Math.round(seedMs / 1000)} s\n`);
    const lookupMs: number[] = [];
    const deadline = Date.now() + opts.budget * 1000;
    for (let n = 0; n < opts.lookups && Date.now() < deadline; n++) {
      const userId = `u-${(n * 7919) % users}`;
      const [found, ms] = await timed(() => coll.find({ userId }).toArray());
      if (found.length !== PER_USER) throw new Error(`lookup found ${found.length} documents, expected ${PER_USER}`);
      lookupMs.push(ms);
    }
    // Half the upserts replace existing documents, half insert new ones.
    const ops = Array.from({ length: opts.upserts }, (_, n) => {
      const i = n % 2 === 0 ? (n * 104729) % opts.docs : opts.docs + n;
      const { userId, recordId, ...rest } = doc(i);
      return { updateOne: { filter: { userId, recordId }, update: { $set: { ...rest, restored: true } }, upsert: true } };
    });
    // In commands of WRITE_BATCH statements, as restorectl writes (store/mongo/bulk.ts).
    let upserts = 0;
    const [, upsertMs] = await timed(async () => {
      const upsertDeadline = Date.now() + opts.budget * 1000;
      for (; upserts < ops.length && Date.now() < upsertDeadline; upserts += WRITE_BATCH) {
        await bulkWriteInChunks(coll, ops.slice(upserts, upserts + WRITE_BATCH));
      }
    });
    upserts = Math.min(upserts, ops.length);
    const upserted = await coll.countDocuments({ restored: true });
    const figures = {
      uri: opts.uri,
      docs: opts.docs,
      seedDocsPerSecond: Math.round(opts.docs / (seedMs / 1000)),
      lookups: lookupMs.length,
      lookupByUserIdMedianMs: Number(median(lookupMs).toFixed(1)),
      lookupByUserIdMaxMs: Number(Math.max(...lookupMs).toFixed(1)),
      upserts,
      writeBatch: WRITE_BATCH,
      upsertTotalMs: Math.round(upsertMs),
      upsertPerOpMs: Number((upsertMs / upserts).toFixed(2)),
      documentsWritten: upserted,
      insertMicrosecondsPerDocument: await insertCostByFields(db),
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await coll.drop().catch(() => undefined);
    await client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`bench-store: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
