import type { Category } from '../../domain/categories';
import { LONE_SURROGATE, type QuarantineReason } from '../../domain/line-check';
import { bulkWriteInChunks } from '../mongo/bulk';
import { type ControlCollections, controlIds, type QuarantineDoc } from './control-collections';

/** The longest raw line kept in quarantine, in characters; longer ones are cut and marked so. */
export const RAW_LINE_LIMIT = 1_000_000;

/**
 * The raw line in a form every store keeps: as text when it can be, else as base64 of its
 * UTF-8 bytes, so a line holding a NUL byte is kept, as evidence, rather than failing the
 * write of its quarantine entry (and with it the campaign).
 */
export function storableRaw(raw: string): Pick<QuarantineDoc, 'raw' | 'rawEncoding' | 'rawTruncated'> {
  const kept = raw.slice(0, RAW_LINE_LIMIT);
  const rawTruncated = raw.length > RAW_LINE_LIMIT;
  // U+0000: PostgreSQL's text refuses it, so FerretDB does.
  if (!kept.includes('\u0000') && !LONE_SURROGATE.test(kept)) return { raw: kept, rawEncoding: 'text', rawTruncated };
  return { raw: Buffer.from(kept, 'utf8').toString('base64'), rawEncoding: 'base64', rawTruncated };
}

export interface QuarantinedLine {
  line: number;
  userId: string | null;
  recordId: string | null;
  reason: QuarantineReason;
  raw: string;
}

/**
 * Writes quarantined lines of one file of a campaign, each keyed by its line number, so
 * writing a line again (a retried or resumed attempt) leaves one entry. `pageOf` gives
 * the page key to tag a line with (store/control/user-pages.ts), or undefined to leave it untagged.
 */
export async function writeQuarantine(
  c: ControlCollections,
  campaignId: string,
  category: Category | 'users',
  lines: QuarantinedLine[],
  pageOf: (line: QuarantinedLine) => string | undefined = () => undefined,
): Promise<void> {
  const docs = lines.map((l): QuarantineDoc => {
    const page = pageOf(l);
    return {
      _id: controlIds.quarantine(campaignId, category, l.line),
      campaignId,
      category,
      line: l.line,
      userId: l.userId,
      recordId: l.recordId,
      reason: l.reason,
      ...storableRaw(l.raw),
      ...(page === undefined ? {} : { page }),
    };
  });
  await bulkWriteInChunks(
    c.quarantine,
    docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
  );
}
