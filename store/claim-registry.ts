import type { Collection } from 'mongodb';
import type { Category } from '../domain/categories';
import type { Claim, ClaimRegistry, ClaimResult } from '../snapshot/classify';
import { insertManyIgnoringDuplicates } from './bulk';
import { controlIds, type StagedRecordDoc } from './control-collections';

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
  ) {}

  async claim(claims: Claim[]): Promise<ClaimResult[]> {
    const docs = claims.map((c): StagedRecordDoc => ({
      _id: controlIds.staged(this.campaignId, this.category, c.userId, c.recordId),
      campaignId: this.campaignId,
      category: this.category,
      userId: c.userId,
      recordId: c.recordId,
      line: c.line,
      lineHash: c.lineHash,
      record: c.record && { recordId: c.recordId, updatedAt: c.record.updatedAt, data: c.record.data, sha256: c.record.sha256.toLowerCase() },
    }));
    // Within the run, the first of a key inserts; the store then answers for keys from earlier runs.
    const firstIndexById = new Map<string, number>();
    const toInsert: number[] = [];
    docs.forEach((doc, i) => {
      if (!firstIndexById.has(doc._id)) {
        firstIndexById.set(doc._id, i);
        toInsert.push(i);
      }
    });
    const taken = await this.insertNew(toInsert.map((i) => docs[i]));
    const earlier = taken.length
      ? new Map((await this.staged.find({ _id: { $in: taken } }, { projection: { line: 1, lineHash: 1 } }).toArray()).map((d) => [d._id, d]))
      : new Map<string, Pick<StagedRecordDoc, 'line' | 'lineHash'>>();

    return docs.map((doc): ClaimResult => {
      const first = earlier.get(doc._id) ?? docs[firstIndexById.get(doc._id)!];
      if (first.line === doc.line) return { first: true };
      return { first: false, identical: first.lineHash === doc.lineHash, firstLine: first.line };
    });
  }

  /** Inserts the documents and returns the ids that an earlier line had already claimed. */
  private async insertNew(docs: StagedRecordDoc[]): Promise<string[]> {
    return (await insertManyIgnoringDuplicates(this.staged, docs)).map((d) => d._id);
  }
}
