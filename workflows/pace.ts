/**
 * How fast a campaign goes, and the checks its operator's changes must pass. Deterministic
 * and free of Node imports: the campaign workflow validates updates with it, and the CLI
 * checks its flags with the same rules, so both refuse the same values in the same words.
 */
import { z } from 'zod';

/** Batch workflows at once at most: each holds store connections; more than this only queues. */
export const MAX_CONCURRENCY = 64;

/** The highest ceiling on records per second that can be set; far above what one store takes. */
export const MAX_RECORDS_PER_SECOND = 1_000_000;

/** A campaign's pace: batches at once, and a ceiling on records started per second (null: none). */
export interface CampaignPace {
  concurrency: number;
  maxRecordsPerSecond: number | null;
}

/** An operator's change of pace: the fields given change, the others stay. */
export type PaceChange = Partial<CampaignPace>;

const CONCURRENCY_RULE = `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`;
const RATE_RULE = `the ceiling on records per second must be a number above 0 and at most ${MAX_RECORDS_PER_SECOND.toLocaleString('en-US')}`;

export const concurrencySchema = z.number(CONCURRENCY_RULE).int(CONCURRENCY_RULE).min(1, CONCURRENCY_RULE).max(MAX_CONCURRENCY, CONCURRENCY_RULE);
export const recordsPerSecondSchema = z.number(RATE_RULE).positive(RATE_RULE).max(MAX_RECORDS_PER_SECOND, RATE_RULE);

const paceChangeSchema = z
  .object({ concurrency: concurrencySchema.optional(), maxRecordsPerSecond: recordsPerSecondSchema.nullable().optional() })
  .strict()
  .refine((change) => change.concurrency !== undefined || change.maxRecordsPerSecond !== undefined, {
    message: 'a change of pace must give the concurrency, the ceiling on records per second, or both',
  });

/**
 * Why a change of pace is refused, in one line for the operator; null when it may apply.
 * The campaign's update validator throws this, so a refused change never reaches its history.
 */
export function paceChangeProblem(change: unknown): string | null {
  const parsed = paceChangeSchema.safeParse(change);
  return parsed.success ? null : parsed.error.issues[0].message;
}

/**
 * Spaces batch starts so that records start at most at the ceiling: each batch books the
 * time its records take at that rate, and the next waits until the booked time has passed.
 * Works on workflow time (`Date.now()` is deterministic in a workflow).
 */
export class BatchPacer {
  private bookedUntil = 0;

  /** Milliseconds to wait before starting a batch of `records` under `maxRecordsPerSecond`; books them. */
  admit(records: number, maxRecordsPerSecond: number | null, now: number): number {
    if (maxRecordsPerSecond === null) {
      this.bookedUntil = now;
      return 0;
    }
    const start = Math.max(now, this.bookedUntil);
    this.bookedUntil = start + (records / maxRecordsPerSecond) * 1000;
    return start - now;
  }
}
