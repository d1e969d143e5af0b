import type { Category } from '../../domain/categories';
import type { QuarantineCode } from '../../domain/line-check';
import type { ControlCollections } from './control-collections';

/** User ids shown per group: enough to start from, few enough to read. */
const EXAMPLES = 5;

/** The failed user-categories of one category that share an error class, and its cause where it names one. */
export interface FailureGroup {
  category: Category;
  errorClass: string;
  /** What the failures follow, when the class has causes (the index that refused records); absent otherwise. */
  cause?: string;
  count: number;
  /** The message of one of them: what an engineer reads first. */
  message: string;
  exampleUserIds: string[];
}

/** The quarantined lines of one file that share a reason. */
export interface QuarantineGroup {
  category: Category | 'users';
  reason: QuarantineCode;
  count: number;
  message: string;
  /** A few of the lines: their user (null when the line names none) and line number in the file. */
  examples: { userId: string | null; line: number }[];
}

export interface FailureReport {
  campaignId: string;
  category: Category | null;
  failed: FailureGroup[];
  quarantined: QuarantineGroup[];
}

/**
 * What went wrong in a campaign, by cause: failed user-categories grouped by error class and cause,
 * quarantined lines by reason, largest groups first, each with a few examples. Counts come
 * from one `$group` per collection (a single accumulator: FerretDB 1.24 computes only the
 * first), examples from a short read per group.
 */
export async function failureReport(c: ControlCollections, campaignId: string, category?: Category): Promise<FailureReport> {
  const scope = { campaignId, ...(category ? { category } : {}) };
  const failedCounts = await c.status
    .aggregate<{ _id: { category: Category; errorClass: string | null; cause?: string | null }; count: number }>([
      { $match: { ...scope, state: 'failed' } },
      { $group: { _id: { category: '$category', errorClass: '$error.class', cause: '$error.cause' }, count: { $sum: 1 } } },
    ])
    .toArray();
  const failed = await Promise.all(
    failedCounts.map(async ({ _id, count }): Promise<FailureGroup> => {
      const errorClass = _id.errorClass ?? 'unknown';
      const examples = await c.status
        .find(
          { campaignId, category: _id.category, state: 'failed', ...(_id.errorClass ? { 'error.class': _id.errorClass } : {}), ...(_id.cause ? { 'error.cause': _id.cause } : {}) },
          { projection: { userId: 1, error: 1 } },
        )
        .limit(EXAMPLES)
        .toArray();
      const cause = _id.cause ? { cause: _id.cause } : {};
      return { category: _id.category, errorClass, ...cause, count, message: examples[0]?.error?.message ?? '', exampleUserIds: examples.map((e) => e.userId) };
    }),
  );
  const quarantineCounts = await c.quarantine
    .aggregate<{ _id: { category: Category | 'users'; reason: QuarantineCode }; count: number }>([
      { $match: scope },
      { $group: { _id: { category: '$category', reason: '$reason.code' }, count: { $sum: 1 } } },
    ])
    .toArray();
  const quarantined = await Promise.all(
    quarantineCounts.map(async ({ _id, count }): Promise<QuarantineGroup> => {
      const examples = await c.quarantine
        .find({ campaignId, category: _id.category, 'reason.code': _id.reason }, { projection: { userId: 1, line: 1, reason: 1 } })
        .sort({ line: 1 })
        .limit(EXAMPLES)
        .toArray();
      return { category: _id.category, reason: _id.reason, count, message: examples[0]?.reason.message ?? '', examples: examples.map((e) => ({ userId: e.userId, line: e.line })) };
    }),
  );
  const largestFirst = <T extends { count: number }>(groups: T[]) => groups.sort((a, b) => b.count - a.count);
  return { campaignId, category: category ?? null, failed: largestFirst(failed), quarantined: largestFirst(quarantined) };
}
