import { StoreRefusedError } from '../domain/errors';
import type { CategoryTraits } from '../domain/category-traits';
import type { ConflictPolicy } from '../domain/categories';
import { type Decision, type LiveDocument, planUser, type RecoveredRecord } from '../domain/restore-plan';
import type { LiveWrite, RefusedWrite } from '../store/live/live-store';
import { finalState, type UserOutcome } from '../store/control/status-writer';
import type { BatchOutcome, RecordTally } from '../workflows/contracts';

/** Per user, the records the live store refused, by recordId, with why: not written again, the user ends failed. */
export type Refusals = Map<string, Map<string, string>>;

/** A round of the restore: each user's decisions, and the writes they call for. */
export interface Round {
  plans: Map<string, Map<string, Decision>>;
  writes: LiveWrite[];
}

/**
 * Decides every record of the batch against the live documents just read (docs/design.md §4), and
 * lists the writes: a replace of the version read, or an insert. A record the store refused
 * in an earlier round is not written again.
 */
export function planRound(
  traits: Pick<CategoryTraits, 'matchKeys'>,
  userIds: string[],
  records: Map<string, RecoveredRecord[]>,
  live: Map<string, LiveDocument[]>,
  options: { policy: ConflictPolicy; dedupe: boolean; refused: Refusals },
): Round {
  const round: Round = { plans: new Map(), writes: [] };
  for (const userId of userIds) {
    const userRecords = records.get(userId) ?? [];
    const plan = planUser(traits, userRecords, live.get(userId) ?? [], options.policy, options.dedupe);
    round.plans.set(userId, plan);
    for (const record of userRecords) {
      if (options.refused.get(userId)?.has(record.recordId)) continue;
      const decision = plan.get(record.recordId)!;
      if (decision.action === 'replace') round.writes.push({ kind: 'replace', userId, record, live: decision.live });
      if (decision.action === 'insert') round.writes.push({ kind: 'insert', userId, record });
    }
  }
  return round;
}

/**
 * Counts the round's writes as landed, those `landed` says did (all, by default): each
 * record's recovered version is what the store now holds (or, in a dry run, would).
 */
export function landRound(round: Round, landed: (write: LiveWrite) => boolean = () => true): void {
  for (const w of round.writes) if (landed(w)) round.plans.get(w.userId)!.set(w.record.recordId, { action: 'present' });
}

/** Notes the writes the store refused, by user and record. */
export function noteRefusals(refused: Refusals, writes: RefusedWrite[]): void {
  for (const { write, reason } of writes) {
    if (!refused.has(write.userId)) refused.set(write.userId, new Map());
    refused.get(write.userId)!.set(write.record.recordId, reason);
  }
}

/**
 * The counts of docs/design.md §5 for one user, from the final decision on each valid record;
 * records the live store refused leave the user failed, with the reason.
 */
export function outcomeOf(userId: string, expected: number, decisions: Decision[], quarantined: number, refused: Map<string, string> | undefined): UserOutcome {
  const received = decisions.length + quarantined;
  const count = (action: Decision['action']) => decisions.filter((d) => d.action === action).length;
  const reasons = [...new Set(refused?.values() ?? [])];
  return {
    error: reasons.length
      ? {
          class: StoreRefusedError.name,
          message: `the live store refused ${refused!.size} record${refused!.size === 1 ? '' : 's'}: ${reasons.join('; ')}`,
          cause: [...reasons].sort().join('; '),
        }
      : null,
    userId,
    expected,
    received,
    valid: decisions.length,
    quarantined,
    missing: Math.max(0, expected - received),
    restored: count('present'),
    keptLive: count('keep-live'),
    duplicates: count('duplicate'),
  };
}

/** What a batch tells its workflow: users by final state, and the records' counts summed. */
export function batchOutcome(outcomes: UserOutcome[]): BatchOutcome {
  const states = outcomes.map(finalState);
  const partial = states.filter((s) => s === 'partial').length;
  const failed = states.filter((s) => s === 'failed').length;
  const sum = (field: keyof RecordTally) => outcomes.reduce((n, o) => n + o[field], 0);
  const records: RecordTally = { restored: sum('restored'), keptLive: sum('keptLive'), duplicates: sum('duplicates'), quarantined: sum('quarantined'), missing: sum('missing') };
  return { restored: outcomes.length - partial - failed, partial, failed, records };
}
