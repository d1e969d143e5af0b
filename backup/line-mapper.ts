import type { Document } from 'bson';
import { canonicalJson, sha256Hex } from '../domain/digest';
import { convertBson, jsonOf, UNMAPPED, Unmappable, valueAtPath } from './bson-json';
import { type BsonRun, documentsOfRun, type RunOrigin } from './bson-stream';
import type { StoredBlob } from './gridfs-blobs';
import type { CategoryMap, FieldSource } from './import-map';

/** Where a source document is: a dump file and the byte offset of its document, or a recovered database's `_id`. */
export type SourcePosition = { file: string; offset: number } | { _id: unknown };

/** Positions of problems kept per collection: enough to find the first few in the backup. */
const EXAMPLES = 5;

/** The values of a collection that could not be mapped: counts by kind (the BSON type) and field of the line, and the first few with their positions. */
export interface ProblemTally {
  problems: Record<string, Record<string, number>>;
  problemCount: number;
  examples: { kind: string; field: string; position: SourcePosition }[];
}

export function emptyTally(): ProblemTally {
  return { problems: {}, problemCount: 0, examples: [] };
}

/** Adds the tally of later documents to `into`: the same as if one tally had counted them all, in order. */
export function addTally(into: ProblemTally, later: ProblemTally): void {
  for (const [kind, byField] of Object.entries(later.problems)) {
    const target = (into.problems[kind] ??= {});
    for (const [field, n] of Object.entries(byField)) target[field] = (target[field] ?? 0) + n;
  }
  into.problemCount += later.problemCount;
  for (const example of later.examples) if (into.examples.length < EXAMPLES) into.examples.push(example);
}

/** Where a document of a run is: its file and offset, or (from a database) its `_id`. */
export function positionOf(origin: RunOrigin, offset: number | null, doc: Document): SourcePosition {
  if ('file' in origin && offset !== null) return { file: origin.file, offset };
  return { _id: jsonOf(doc._id).value ?? String(doc._id) };
}

/** A record line as text, with the owner it names (a string when the map found one). */
export interface MappedLine {
  text: string;
  userId: unknown;
}

/** `"key":value,` for a value JSON can hold, nothing for an absent one. */
function member(key: string, value: unknown): string {
  return value === undefined ? '' : `"${key}":${JSON.stringify(value)},`;
}

/** Maps documents into lines, noting each value that cannot be mapped in a tally. Synchronous: it runs in a worker as well as here. */
export class LineMapper {
  constructor(private readonly tally: ProblemTally) {}

  /** The JSON value `source` gives for `doc`, under `field` of the line; undefined where the document has none. */
  value(doc: Document, source: FieldSource, field: string, position: () => SourcePosition): unknown {
    if (typeof source !== 'string') return source.const;
    const raw = valueAtPath(doc, source);
    if (raw === undefined || raw === null) return undefined;
    const converted = convertBson(raw);
    if (!(converted instanceof Unmappable)) return converted;
    this.problem(converted.kind, field, position);
    return { [UNMAPPED]: converted.kind };
  }

  /** Counts a problem of `kind` in `field` of a line, keeping the first few with their position. */
  problem(kind: string, field: string, position: () => SourcePosition): void {
    const byField = (this.tally.problems[kind] ??= {});
    byField[field] = (byField[field] ?? 0) + 1;
    this.tally.problemCount += 1;
    if (this.tally.examples.length < EXAMPLES) this.tally.examples.push({ kind, field, position: position() });
  }

  /** An id (userId, recordId): a number becomes its decimal string, as §3 wants ids as strings. */
  id(doc: Document, source: FieldSource, field: string, position: () => SourcePosition): unknown {
    const value = this.value(doc, source, field, position);
    return typeof value === 'number' ? String(value) : value;
  }

  /**
   * The record line of a document of `map`'s collection. `data` is written in its canonical
   * form (RFC 8785), the very text its digest is taken of. For a map with `blob`, `blob` is
   * the document's GridFS file as copied into blobs/ (null when the bucket has none):
   * `data.sha256` and `data.bytes` come from it where the map names none.
   */
  record(doc: Document, map: CategoryMap, position: () => SourcePosition, blob?: StoredBlob | null): MappedLine {
    const data: Record<string, unknown> = {};
    for (const field in map.data) {
      const value = this.value(doc, map.data[field], `data.${field}`, position);
      if (value !== undefined) data[field] = value;
    }
    if (map.blob) {
      if (blob) {
        data.sha256 ??= blob.sha256;
        data.bytes ??= blob.bytes;
      } else this.problem('GridFS file missing', `blob (${map.blob.fileId})`, position);
    }
    const userId = this.id(doc, map.userId, 'userId', position);
    const canonical = canonicalJson(data);
    const text =
      `{${member('userId', userId)}${member('recordId', this.id(doc, map.recordId, 'recordId', position))}` +
      `${member('updatedAt', this.value(doc, map.updatedAt, 'updatedAt', position))}"data":${canonical},"sha256":"${sha256Hex(canonical)}"}\n`;
    return { text, userId };
  }
}

/** What a run of documents became: its lines, one per document, and the owners they name (strings only; a repeat of the one before left out). */
export interface MappedRun {
  /** The lines as UTF-8, each ending in a newline: written to the file as they are, and handed over by a worker without a copy. */
  lines: Uint8Array;
  documents: number;
  userIds: string[];
}

/**
 * A run's lines as they are made, in order, written as UTF-8 into one growing buffer (not
 * joined into a string and encoded after: half the cost), and the owners they name: a repeat
 * of the line before's owner is left out, since a backup tends to hold a user's records together.
 */
export class RunLines {
  private bytes: Buffer;
  private length = 0;
  private documents = 0;
  private readonly userIds: string[] = [];

  /**
   * `runBytes`: the BSON bytes of the run the lines are made of; a run's lines take about half
   * as many bytes again, which is the room to begin with. `spare`: a buffer to write into
   * where it has that room (its contents are overwritten).
   */
  constructor(runBytes: number, spare?: ArrayBuffer) {
    const room = Math.max(Math.ceil(runBytes * 1.5), 1024);
    // Its own memory, not a slice of Node's pool: a worker hands the whole buffer over.
    this.bytes = spare && spare.byteLength >= room ? Buffer.from(spare) : Buffer.allocUnsafeSlow(room);
  }

  add({ text, userId }: MappedLine): void {
    // A UTF-16 unit is at most three bytes of UTF-8: with that much room, write cannot cut the
    // line; with less, the line's exact size decides, so that a buffer grows only when it must.
    const free = this.bytes.length - this.length;
    const room = free >= text.length * 3 ? 0 : Buffer.byteLength(text);
    if (room > free) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.length + room));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(text, this.length);
    this.documents += 1;
    if (typeof userId === 'string' && this.userIds[this.userIds.length - 1] !== userId) this.userIds.push(userId);
  }

  done(): MappedRun {
    return { lines: this.bytes.subarray(0, this.length), documents: this.documents, userIds: this.userIds };
  }
}

/**
 * Maps every document of a run into its line, in order, counting problems in `tally`. Pure
 * and synchronous, so that runs can be mapped in worker threads side by side and written in
 * order. Not for a map with `blob`: its files are copied as its lines are made.
 */
export function mapRun(run: BsonRun, origin: RunOrigin, map: CategoryMap, tally: ProblemTally, spare?: ArrayBuffer): MappedRun {
  const mapper = new LineMapper(tally);
  const lines = new RunLines(run.bytes.length, spare);
  for (const { doc, offset } of documentsOfRun(run, origin)) lines.add(mapper.record(doc, map, () => positionOf(origin, offset, doc)));
  return lines.done();
}
