import type { Collection } from 'mongodb';
import type { Category } from '../domain/categories';
import type { Claim, ClaimRegistry, ClaimResult } from '../snapshot/classify';
import { StoreRefusedError } from '../domain/errors';
import { INSERT_BATCH, writeIdempotent } from './bulk';
import type { RecoveredRecord } from '../domain/restore-plan';
import { controlIds, type StagedRecordDoc } from './control-collections';
import { findByIds } from './per-user';

/**
 * In JSON text, the escapes of what a store may refuse to keep in a string: U+0000 and lone
 * surrogates (PostgreSQL's text refuses both, so FerretDB does; MongoDB keeps them).
 * JSON.stringify escapes exactly these, and writes every other character as itself.
 */
const STORE_MAY_REFUSE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

/**
 * How a record is staged: as JSON text, which the store converts fastest; but a record
 * holding what a store may refuse goes in as a document, for the store to judge it while it
 * is staged (its line is then quarantined `store-refused`) rather than when it is restored.
 */
function stagedForm(record: RecoveredRecord | null): Pick<StagedRecordDoc, 'record' | 'recordJson'> {
  if (record === null) return { recordJson: null };
  const text = JSON.stringify(record);
  return STORE_MAY_REFUSE.test(text) ? { record } : { recordJson: text };
}

/**
 * Claims records in the staged-records collection: the first line of a key inserts its
 * document (with the record when valid), later lines find it there. Keyed by `_id`, the
 * one lookup every store indexes, so a claim costs the same in a collection of any size.
 * Re-running over lines already claimed (a resumed staging) finds their own documents.
 */
export class StoreClaimRegistry implements ClaimRegistry {
  constructor(
    private readonly staged: Collection<StagedRecordDoc>,
    private readonly campaignId: string,
    private readonly category: Category,
    /** The page key a user's documents are tagged with (store/user-pages.ts), or undefined to leave them untagged. */
    private readonly pageOf: (userId: string) => string | undefined = () => undefined,
  ) {}

  async claim(claims: Claim[]): Promise<ClaimResult[]> {
    const docs = claims.map((c): StagedRecordDoc => {
      const page = this.pageOf(c.userId);
      return {
        _id: controlIds.staged(this.campaignId, this.category, c.userId, c.recordId),
        campaignId: this.campaignId,
        category: this.category,
        userId: c.userId,
        recordId: c.recordId,
        line: c.line,
        lineHash: c.lineHash,
        ...stagedForm(c.record && { recordId: c.recordId, updatedAt: c.record.updatedAt, data: c.record.data, sha256: c.record.sha256.toLowerCase() }),
        ...(page === undefined ? {} : { page }),
      };
    });
    // Within the run, the first of a key inserts; the store then answers for keys from earlier runs.
    const firstIndexById = new Map<string, number>();
    const toInsert: number[] = [];
    docs.forEach((doc, i) => {
      if (!firstIndexById.has(doc._id)) {
        firstIndexById.set(doc._id, i);
        toInsert.push(i);
      }
    });
    const { taken, refused } = await this.insertNew(toInsert.map((i) => docs[i]));
    const earlier = taken.length
      ? await findByIds(this.staged, taken, { projection: { line: 1, lineHash: 1, refused: 1 } })
      : new Map<string, Pick<StagedRecordDoc, 'line' | 'lineHash' | 'refused'>>();

    return docs.map((doc): ClaimResult => {
      const first = earlier.get(doc._id) ?? docs[firstIndexById.get(doc._id)!];
      if (first.line === doc.line) {
        const refusal = refused.get(doc._id) ?? first.refused;
        return refusal ? { first: true, refused: refusal } : { first: true };
      }
      return { first: false, identical: first.lineHash === doc.lineHash, firstLine: first.line };
    });
  }

  /**
   * Inserts the documents; returns the ids an earlier line had already claimed, and the
   * records the store refused with the reason. A refused record still claims its key,
   * without the record and with the reason, so that a later line with the same key is
   * judged against it and a resumed run finds the refusal again.
   */
  private async insertNew(docs: StagedRecordDoc[]): Promise<{ taken: string[]; refused: Map<string, string> }> {
    const insert = (list: StagedRecordDoc[]) => writeIdempotent(this.staged, list.map((document) => ({ insertOne: { document } })), INSERT_BATCH);
    const first = await insert(docs);
    const refusedDocs = first.refused.map(({ index, reason }) => ({ ...docs[index], record: null, recordJson: null, refused: reason }));
    const again = await insert(refusedDocs);
    if (again.refused.length) throw new StoreRefusedError(`the store refused a claim without its record: ${again.refused[0].reason}`);
    return {
      taken: [...first.taken, ...again.taken.map((i) => first.refused[i].index)].map((i) => docs[i]._id),
      refused: new Map(first.refused.map(({ index, reason }) => [docs[index]._id, reason])),
    };
  }
}
