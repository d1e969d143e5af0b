/**
 * The words and figures both faces show, the CLI and the API (and its pages): what a wave's
 * tally means now, and one user's category in plain words for support staff.
 */
import type { UserCategoryStatus } from '../store/control/status-reader';
import type { WaveTally } from '../workflows';
import type { ReturnEstimate } from './eta';

/** Figures of one wave for incident staff, computed on this machine's clock. */
export interface WaveFigures {
  done: number;
  total: number;
  recordsPerSecond: number;
  /** Seconds until the wave's users are all done at the pace so far; null when unknown or done. */
  etaSeconds: number | null;
}

/** What a wave's tally means now: users done of total, records per second since it began, and an ETA. */
export function waveFigures(tally: WaveTally, usersTotal: number, now = Date.now()): WaveFigures {
  const done = tally.users.restored + tally.users.partial + tally.users.failed;
  const seconds = tally.startedAt === null ? 0 : Math.max(0.001, ((tally.endedAt ?? now) - tally.startedAt) / 1000);
  const handled = tally.records.restored + tally.records.keptLive + tally.records.duplicates;
  const recordsPerSecond = seconds > 0 ? handled / seconds : 0;
  const etaSeconds = tally.endedAt !== null || done === 0 || done >= usersTotal ? null : ((usersTotal - done) * seconds) / done;
  return { done, total: usersTotal, recordsPerSecond, etaSeconds };
}

/** A time from now in the words support reads out: "in about 40 minutes". */
export function inAbout(seconds: number): string {
  if (seconds < 60) return 'in less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `in about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in about ${hours} hours`;
  return `in about ${Math.round(hours / 24)} days`;
}

/** A pending category of a running campaign in words: when it is expected back, when that can be said. */
function waiting(expected: number, estimate: ReturnEstimate | undefined): string {
  const records = `${expected} record(s)`;
  if (estimate?.paused) return `${estimate.basis}; ${records} expected, not restored yet`;
  if (estimate?.inSeconds == null) return `waiting: ${records} expected, not restored yet`;
  if (estimate.afterWave) return `expected after the ${estimate.afterWave} wave, ${inAbout(estimate.inSeconds)} (${records})`;
  return `expected back ${inAbout(estimate.inSeconds)} (${records})`;
}

/**
 * One category of one user's status in plain words, for support staff; `campaignState` tells a
 * wait from a campaign that ended without it, `campaignFailure` why a failed one did, and
 * `estimate` (operations/eta.ts) when a waiting one should be back.
 */
export function describeUserCategory(s: UserCategoryStatus, campaignState: string | null = 'running', campaignFailure?: string | null, estimate?: ReturnEstimate): string {
  const parts: string[] = [];
  const back = s.restored + s.keptLive + s.duplicates;
  switch (s.state) {
    case 'pending':
      if (campaignState === 'cancelled')
        return `not restored: the campaign was cancelled before reaching it (${s.expected} record(s) expected); a new campaign or a replay can restore it`;
      if (campaignState === 'failed')
        return `not restored: the campaign failed before reaching it: ${campaignFailure ?? 'cause unknown'} (${s.expected} record(s) expected); engineers can finish it (restorectl replay --unfinished)`;
      return waiting(s.expected, estimate);
    case 'validating':
    case 'restoring':
      return `in progress (attempt ${s.attempts})`;
    case 'failed':
      return `failed after ${s.attempts} attempt(s) (${s.error?.class ?? 'unknown error'}); engineers can replay it`;
    case 'undone': {
      const u = s.undo ?? { removed: 0, putBack: 0, keptChanged: 0 };
      return `undone: the restore was taken back (${u.removed} record(s) removed, ${u.putBack} put back as they were, ${u.keptChanged} kept as the user changed them since)`;
    }
    default:
      if (s.expected === 0 && s.received === 0) return 'nothing to restore: the backup holds none';
      parts.push(`${back} of ${s.expected} record(s) back`);
  }
  if (s.keptLive) parts.push(`${s.keptLive} kept as the user edited them since`);
  if (s.duplicates) parts.push(`${s.duplicates} already re-entered by the user`);
  if (s.quarantined) parts.push(`${s.quarantined} damaged in the backup and held back`);
  if (s.missing) parts.push(`${s.missing} not in the backup`);
  return `${s.state === 'restored' ? 'restored' : 'partly restored'}: ${parts.join('; ')}`;
}
