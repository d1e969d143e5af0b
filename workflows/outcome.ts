/**
 * Sums of batch outcomes: a campaign adds its batches', a batch narrowed down adds its
 * parts'. Deterministic, free of Node imports.
 */
import type { BatchOutcome, RecordTally } from './contracts';

export type UserTally = Pick<BatchOutcome, 'restored' | 'partial' | 'failed'>;

/** An outcome with nothing in it yet, to add batches or parts to. */
export function noOutcome(): BatchOutcome {
  return { restored: 0, partial: 0, failed: 0, records: noRecords() };
}

/** Adds a batch's (or a part's) users and records to `into`. */
export function addOutcome(into: BatchOutcome, outcome: BatchOutcome): void {
  addUsers(into, outcome);
  addRecords(into.records, outcome.records);
}

/** Records by fate, all zero. */
export function noRecords(): RecordTally {
  return { restored: 0, keptLive: 0, duplicates: 0, quarantined: 0, missing: 0 };
}

/** Adds an outcome's users per state to `into`. */
export function addUsers(into: UserTally, outcome: UserTally): void {
  for (const state of ['restored', 'partial', 'failed'] as const) into[state] += outcome[state];
}

/** Adds records by fate to `into`. */
export function addRecords(into: RecordTally, records: RecordTally): void {
  for (const [field, n] of Object.entries(records)) into[field as keyof RecordTally] += n;
}
