import type { Category } from '../domain/categories';
import type { QuarantineReason } from '../domain/line-check';
import { bulkWriteInChunks } from './bulk';
import { type ControlCollections, controlIds, type QuarantineDoc } from './control-collections';

/** The longest raw line kept in quarantine; longer ones are cut and marked so. */
export const RAW_LINE_LIMIT = 1_000_000;

export interface QuarantinedLine {
  line: number;
  userId: string | null;
  recordId: string | null;
  reason: QuarantineReason;
  raw: string;
}

/**
 * Writes quarantined lines of one file of a campaign, each keyed by its line number, so
 * writing a line again (a retried or resumed attempt) leaves one entry.
 */
export async function writeQuarantine(c: ControlCollections, campaignId: string, category: Category | 'users', lines: QuarantinedLine[]): Promise<void> {
  const docs = lines.map(
    (l): QuarantineDoc => ({
      _id: controlIds.quarantine(campaignId, category, l.line),
      campaignId,
      category,
      line: l.line,
      userId: l.userId,
      recordId: l.recordId,
      reason: l.reason,
      raw: l.raw.slice(0, RAW_LINE_LIMIT),
      rawTruncated: l.raw.length > RAW_LINE_LIMIT,
    }),
  );
  await bulkWriteInChunks(c.quarantine, docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })));
}
