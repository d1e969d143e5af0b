/**
 * When a user's category is expected back, for support: from the user's place in its wave
 * and the wave's pace so far, or, for a later wave, from when the wave under way should
 * end. An estimate on this machine's clock, never a promise; none without a pace.
 */
import type { Category } from '../domain/categories';
import type { CampaignProgress } from '../workflows';
import { waveFigures } from './words';

export interface ReturnEstimate {
  /** When the category should be back; null when there is no figure to give (paused, no pace yet). */
  expectedBy: Date | null;
  /** What the estimate rests on, in words. */
  basis: string;
  /** Seconds from now to `expectedBy`; null with it. */
  inSeconds: number | null;
  /** The wave under way, when the category's own comes after it. */
  afterWave?: Category;
  /** Paused: the reason stands in for a time. */
  paused?: boolean;
}

/** The entry of one user-category that an estimate is asked for. */
export interface WaitingEntry {
  category: Category;
  state: string;
  /** Users of users.ndjson up to the end of the user's page: its wave reaches it once that many have ended. */
  reachedAfterUsers?: number;
}

function within(seconds: number, now: number, basis: string): ReturnEstimate {
  return { expectedBy: new Date(now + seconds * 1000), basis, inSeconds: seconds };
}

function none(basis: string): ReturnEstimate {
  return { expectedBy: null, basis, inSeconds: null };
}

/**
 * The estimate for a category not back yet (`pending`, `restoring`) in a running campaign
 * (`progress`); undefined for one that has ended, in a campaign that does not run, or in a
 * wave already over (a retry or a replay has no pace of its own).
 */
export function estimateReturn(entry: WaitingEntry, progress: CampaignProgress | null, now = Date.now()): ReturnEstimate | undefined {
  if (!progress || (entry.state !== 'pending' && entry.state !== 'restoring')) return undefined;
  if (progress.paused) {
    const reason = progress.pausedReason ?? 'by its operator';
    return { ...none(reason.startsWith('paused') ? reason : `paused: ${reason}`), paused: true };
  }
  const own = progress.tallies.find((t) => t.category === entry.category);
  if (own?.endedAt) return undefined;
  const current = progress.tallies.find((t) => t.category === progress.category && t.endedAt === null);
  const figures = current && waveFigures(current, progress.users, now);
  const elapsed = current?.startedAt ? (now - current.startedAt) / 1000 : 0;
  if (!current || !figures || figures.done === 0 || elapsed <= 0) return none(`no pace yet: the ${progress.category ?? 'first'} wave has not restored a user yet`);
  const perMinute = Math.round((figures.done * 60) / elapsed);
  if (entry.category !== current.category) {
    const after = `after the ${current.category} wave, which should end by then at its pace so far (${perMinute} users a minute)`;
    return { ...(figures.etaSeconds === null ? none(after) : within(figures.etaSeconds, now, after)), afterWave: current.category };
  }
  const place = Math.min(entry.reachedAfterUsers ?? progress.users, progress.users);
  const ahead = Math.max(0, place - figures.done);
  return within(
    (ahead * elapsed) / figures.done,
    now,
    `its place in the ${current.category} wave: reached once ${place} of ${progress.users} users are done; ${figures.done} are, at ${perMinute} a minute`,
  );
}
