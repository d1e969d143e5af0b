import type { Collection, Document, OptionalId } from 'mongodb';
import type { Category } from '../../domain/categories';
import type { RecoveredRecord } from '../../domain/restore-plan';
import type { StagedLine } from '../../snapshot/read-back';
import { StoreRefusedError } from '../../domain/errors';
import { INSERT_BATCH, writeIdempotent } from '../mongo/bulk';
import { type ChunkEntry, type ControlCollections, controlIds, type StagedDoc, type StagedLinesDoc, type StagingChunkDoc, type StoredChunkEntry } from './control-collections';

/**
 * Entries per chunk document at most: a group's entries of one run of the file are split
 * into documents of this many, so none nears the store's 16 MB document limit.
 */
const ENTRIES_PER_CHUNK = 10_000;

function storedOf(e: ChunkEntry): StoredChunkEntry {
  return [e.line, e.at, e.end, e.userId, e.recordId, e.lineHash, e.reason, e.refused ?? null, e.textHash];
}

function entryOf([line, at, end, userId, recordId, lineHash, reason, refused, textHash]: StoredChunkEntry): ChunkEntry {
  return { line, at, end, userId, recordId, lineHash, reason, refused: refused ?? undefined, textHash };
}

/** The key a group's chunk documents are read by. */
export function chunkGroup(run: string, category: Category, group: number): string {
  return `${run}|${category}|${group}`;
}

/**
 * Writes the claiming lines of one run of the file, the lines after `from` up to `to`, per
 * group. Keyed by the group and the run: a run written again (a resumed staging) leaves the
 * documents it left, and another run over the same lines (a retry by a release that holds
 * another number of lines) never meets them, so no line is refused as written before it was.
 */
export async function writeChunks(
  c: ControlCollections,
  campaignId: string,
  run: string,
  category: Category,
  lines: { from: number; to: number },
  groups: Map<number, ChunkEntry[]>,
): Promise<void> {
  const docs: StagingChunkDoc[] = [];
  for (const [group, entries] of groups) {
    const key = chunkGroup(run, category, group);
    for (let part = 0; part * ENTRIES_PER_CHUNK < entries.length; part++) {
      const held = entries.slice(part * ENTRIES_PER_CHUNK, (part + 1) * ENTRIES_PER_CHUNK);
      docs.push({ _id: `${key}|${lines.from}-${lines.to}|${part}`, campaignId, run, group: key, entriesJson: JSON.stringify(held.map(storedOf)), entries: held.length });
    }
  }
  await insertAll(c.stagingChunks, docs, 'a staging chunk');
}

/**
 * How many claiming lines a group's chunks hold, without reading them: at most what
 * readGroup gives (a line written by two attempts of different releases counts twice).
 */
export async function groupSize(c: ControlCollections, run: string, category: Category, group: number): Promise<number> {
  const docs = await c.stagingChunks.find({ group: chunkGroup(run, category, group) }, { projection: { entries: 1 } }).toArray();
  return docs.reduce((n, d) => n + d.entries, 0);
}

/**
 * A group's claiming lines, in file order, each once: an attempt that held another number of
 * lines per write (another release) wrote some lines under other chunk keys too.
 */
export async function readGroup(c: ControlCollections, run: string, category: Category, group: number): Promise<ChunkEntry[]> {
  const docs = await c.stagingChunks.find({ group: chunkGroup(run, category, group) }).toArray();
  const entries = docs.flatMap((d) => (JSON.parse(d.entriesJson) as StoredChunkEntry[]).map(entryOf)).sort((a, b) => a.line - b.line);
  return entries.filter((entry, i) => i === 0 || entries[i - 1].line !== entry.line);
}

/** Drops the chunks of a staging run (a campaign's, or a replay's selection's) once the run has ended: only staging reads them. */
export async function dropChunks(c: ControlCollections, run: string): Promise<void> {
  await c.stagingChunks.deleteMany({ run });
}

/** Writes users' standing lines; a document written again (a resumed staging) is left as it is, the same. */
export async function writeStagedLines(c: ControlCollections, docs: StagedDoc[]): Promise<void> {
  await insertAll(c.staged, docs, "a user's staged lines");
}

/**
 * Inserts documents whose keys name their content, so one found there already is the same;
 * a document the store refuses (`what` it was) fails the attempt: staging's own documents
 * hold numbers and ids, and a refusal means the store cannot keep them at all.
 */
async function insertAll<T extends Document>(collection: Collection<T>, docs: OptionalId<T>[], what: string): Promise<void> {
  const { refused } = await writeIdempotent(
    collection,
    docs.map((document) => ({ insertOne: { document } })),
    INSERT_BATCH,
  );
  if (refused.length) throw new StoreRefusedError(`the store refused ${what}: ${refused[0].reason}`);
}

/**
 * A user's places of lines per document at most: some 40 bytes each, so even a user with
 * millions of lines (a hostile snapshot) is kept in documents far below the 16 MB limit.
 */
const LINES_PER_DOC = 20_000;

/**
 * A user's standing lines as documents: one, or for a user with more than LINES_PER_DOC
 * lines, one per run of that many, under `_id`s that a record id could never give
 * (`#` is not an id character).
 */
export function stagedLinesDocs(campaignId: string, category: Category, userId: string, page: string | undefined, lines: StagedLine[]): StagedLinesDoc[] {
  const docs: StagedLinesDoc[] = [];
  const id = controlIds.stagedLines(campaignId, category, userId);
  // One document at least: a user with none stands over its page's packed entry all the same.
  for (let part = 0; part === 0 || part * LINES_PER_DOC < lines.length; part++) {
    docs.push({
      _id: part === 0 ? id : `${id}|#${part}`,
      campaignId,
      category,
      userId,
      ...(page === undefined ? {} : { page }),
      linesJson: JSON.stringify(lines.slice(part * LINES_PER_DOC, (part + 1) * LINES_PER_DOC)),
    });
  }
  return docs;
}

/**
 * The standing lines of the users of one page that one group of users.ndjson holds, packed
 * into documents of at most LINES_PER_DOC lines under ids that name the page, the group and
 * the part, so that judging the same group again writes the same documents (a page that
 * spans two groups gets documents from each). A user with more lines than that is kept in
 * documents of its own (stagedLinesDocs), tagged with the page.
 */
export function stagedPageDocs(campaignId: string, category: Category, page: string, group: number, users: [string, StagedLine[]][]): StagedDoc[] {
  const docs: StagedDoc[] = [];
  let parts = 0;
  let held: [string, StagedLine[]][] = [];
  let lines = 0;
  const flush = () => {
    if (held.length) docs.push({ _id: `${page}|#g${group}.${parts++}`, campaignId, category, page, usersJson: JSON.stringify(held) });
    held = [];
    lines = 0;
  };
  for (const [userId, userLines] of users) {
    if (userLines.length > LINES_PER_DOC) {
      docs.push(...stagedLinesDocs(campaignId, category, userId, page, userLines));
      continue;
    }
    if (lines + userLines.length > LINES_PER_DOC) flush();
    held.push([userId, userLines]);
    lines += userLines.length;
  }
  flush();
  return docs;
}

/**
 * In JSON text, the escapes of what a store may refuse to keep in a string: U+0000 and lone
 * surrogates (PostgreSQL's text refuses both, so FerretDB does; MongoDB keeps them).
 * JSON.stringify escapes exactly these, and writes every other character as itself.
 */
const STORE_MAY_REFUSE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

/**
 * Asks the store whether it keeps each record, as it will be asked when the record is
 * restored: a record that holds what a store may refuse is written to the control store
 * under `probeId` and removed again; the others are kept by every store unasked. Says why
 * for each record refused, by index. Harmless to repeat: a probe left by a crash is taken.
 */
export async function storeRefusals(c: ControlCollections, campaignId: string, records: { probeId: string; record: RecoveredRecord }[]): Promise<Map<number, string>> {
  const asked = records.map((r, index) => ({ ...r, index })).filter(({ record }) => STORE_MAY_REFUSE.test(JSON.stringify(record)));
  const refusals = new Map<number, string>();
  if (asked.length === 0) return refusals;
  const probes = asked.map(({ probeId, record }) => ({ insertOne: { document: { _id: probeId, campaignId, record } } }));
  const { refused } = await writeIdempotent(c.probes, probes, INSERT_BATCH);
  for (const { index, reason } of refused) refusals.set(asked[index].index, reason);
  // One delete per probe: FerretDB reads the whole collection for `_id: {$in}`.
  for (const { probeId } of asked) await c.probes.deleteOne({ _id: probeId });
  return refusals;
}
