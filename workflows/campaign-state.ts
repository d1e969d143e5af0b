import { setHandler } from '@temporalio/workflow';
import type { BatchOutcome, CampaignSettings, LinePosition, StagingSummary } from './contracts';
import type { Category } from '../domain/categories';
import {
  type CampaignProgress,
  pauseSignal,
  type WaveTally,
  progressQuery,
  resumeSignal,
  setPaceUpdate,
  snapshotWaitSignal,
  storeAnswersSignal,
  storeUnavailableSignal,
} from './messages';
import { addRecords, addUsers, noRecords, type UserTally } from './outcome';
import { BatchPacer, type CampaignPace, paceChangeProblem } from './pace';

/** Where a campaign stands; carried across continue-as-new. */
export interface CampaignCursor {
  snapshotId: string;
  users: number;
  /** Index into settings.categories of the wave under way. */
  wave: number;
  staged: boolean;
  /** Position in users.ndjson of the next page of the current wave. */
  next: LinePosition;
  pagesDone: boolean;
  /** Batches started in the current wave, across runs: numbers the child workflow ids. */
  batches: number;
  /** Users finished per outcome, summed over waves (a user counts once per category). */
  outcome: UserTally;
  paused: boolean;
  /** Why it is paused, when it paused itself (canary done, too much quarantined); absent: the operator paused it. */
  pauseReason?: string;
  /** The pace in force: the input's, then as the operator changes it. */
  pace: CampaignPace;
  /** Users the canary has yet to take in the first wave; absent when there is no canary or it is done. */
  canaryLeft?: number;
  /** Per wave whose batches started, in wave order. */
  tallies: WaveTally[];
  /**
   * A scoped campaign's users are paged from its selection (store/control/selections.ts) in this many
   * chunks, `next.line` counting them; absent: paged from users.ndjson.
   */
  scopeChunks?: number;
  /** Pages of users.ndjson each batch takes, per category; absent: one (a campaign started without recordsPerBatch, or before it existed). */
  pagesPerBatch?: Partial<Record<Category, number>>;
  /** The next wave's file, staged by an earlier run while this wave restored: for the next wave to take, not stage again. */
  stagedAhead?: { category: Category; summary: StagingSummary };
}

/** The cursor a new campaign starts from, at its pace, with its canary, if any. */
export function firstCursor(pace: CampaignPace, canary?: number): CampaignCursor {
  return {
    ...(canary === undefined ? {} : { canaryLeft: canary }),
    pace,
    tallies: [],
    snapshotId: '',
    users: 0,
    wave: 0,
    staged: false,
    next: { byte: 0, line: 0 },
    pagesDone: false,
    batches: 0,
    outcome: { restored: 0, partial: 0, failed: 0 },
    paused: false,
  };
}

/**
 * A campaign run's state and the handlers of its messages, so that the workflow function
 * reads as the plan. Only the cursor outlives the run; the batches running and those
 * waiting for the store are drained before it continues as new.
 */
export class CampaignState {
  phase: CampaignProgress['phase'];
  /**
   * Batches under way, each settling when its child workflow ends, with where in users.ndjson
   * its page began: where a cancelled first wave's unreached users begin.
   */
  private readonly batches = new Map<Promise<void>, LinePosition>();
  /** Batches waiting for the store to answer, with why: while any waits, no new batch starts. */
  private readonly waitingForStore = new Map<string, string>();
  /** Steps (the campaign's own, or batches) waiting for the snapshot to read again, with why: while any waits, no new batch starts. */
  private readonly waitingForSnapshot = new Map<string, string>();
  private readonly pacer = new BatchPacer();
  /**
   * The first batch that failed as a workflow (terminated by an engineer, say), with where its
   * page began: the campaign fails with it, rather than leave its rejection unhandled, which
   * fails every workflow task of the campaign and wedges it.
   */
  private failedBatch: { error: unknown; from: LinePosition } | undefined;

  constructor(
    readonly settings: CampaignSettings,
    readonly cursor: CampaignCursor,
    carried: boolean,
  ) {
    this.phase = carried ? 'restoring' : 'opening';
  }

  /** Batches under way, each settling when its child workflow ends. */
  get running(): Promise<void>[] {
    return [...this.batches.keys()];
  }

  /** The current wave's tally; undefined before its first batch starts. */
  private currentTally(): WaveTally | undefined {
    return this.cursor.tallies.find((w) => w.category === this.settings.categories[this.cursor.wave]);
  }

  /** The current wave's tally, begun when its first batch starts. */
  private waveTally(): WaveTally {
    const category = this.settings.categories[this.cursor.wave];
    let tally = this.currentTally();
    if (!tally) {
      tally = {
        category,
        users: { restored: 0, partial: 0, failed: 0 },
        records: noRecords(),
        startedAt: Date.now(),
        endedAt: null,
      };
      this.cursor.tallies.push(tally);
    }
    return tally;
  }

  get pace(): CampaignPace {
    return this.cursor.pace;
  }

  /** Registers the signal and query handlers; call once, first thing in the run. */
  handleMessages(): void {
    setHandler(pauseSignal, () => this.pause());
    setHandler(resumeSignal, () => {
      this.cursor.paused = false;
      delete this.cursor.pauseReason;
    });
    setHandler(setPaceUpdate, (change) => Object.assign(this.pace, change), {
      validator: (change) => {
        const problem = paceChangeProblem(change);
        if (problem) throw new Error(problem);
      },
    });
    setHandler(storeUnavailableSignal, ({ batchId, reason }) => void this.waitingForStore.set(batchId, reason));
    setHandler(storeAnswersSignal, ({ batchId }) => void this.waitingForStore.delete(batchId));
    setHandler(snapshotWaitSignal, ({ stepId, reason }) => this.snapshotWait(stepId, reason));
    setHandler(progressQuery, () => this.progress());
  }

  /** Pauses the campaign: running batches finish, no new one starts until it is resumed. `reason` when it pauses itself. */
  pause(reason?: string): void {
    this.cursor.paused = true;
    if (reason === undefined) delete this.cursor.pauseReason;
    else this.cursor.pauseReason = reason;
  }

  /** Records that step `stepId` waits for the snapshot, and why; with `reason` null, that it reads again. */
  snapshotWait(stepId: string, reason: string | null): void {
    if (reason === null) this.waitingForSnapshot.delete(stepId);
    else this.waitingForSnapshot.set(stepId, reason);
  }

  /** Why no new batch starts, in words for the operator; null while batches may start. */
  pausedReason(): string | null {
    if (this.cursor.paused) return this.cursor.pauseReason ?? 'paused by the operator';
    if (this.waitingForStore.size > 0) return `the store does not answer (${this.waitingForStore.size} batch(es) waiting for it): ${[...this.waitingForStore.values()][0]}`;
    if (this.waitingForSnapshot.size > 0)
      return `${[...this.waitingForSnapshot.values()][0]} (${this.waitingForSnapshot.size} step(s) waiting for it; the campaign goes on by itself once it reads again)`;
    return null;
  }

  /** True when a batch may start: not paused, and fewer running than the pace allows. */
  mayStartBatch(): boolean {
    return this.pausedReason() === null && this.batches.size < this.pace.concurrency;
  }

  /** Batches that may start now, by the pace's concurrency alone. */
  freePlaces(): number {
    return Math.max(0, this.pace.concurrency - this.batches.size);
  }

  /** Milliseconds to wait before starting a batch of `records`, so that records start no faster than the pace's ceiling. */
  waitBeforeBatch(records: number): number {
    return this.pacer.admit(records, this.pace.maxRecordsPerSecond, Date.now());
  }

  /** Where the first wave's users not yet restored begin: the earliest page of a batch running or failed, else the next page. */
  unreachedFrom(): LinePosition {
    const pages = [...this.batches.values(), ...(this.failedBatch ? [this.failedBatch.from] : [])];
    return pages.reduce((earliest, from) => (from.line < earliest.line ? from : earliest), this.cursor.next);
  }

  /** Throws the failure of a batch that failed as a workflow, if one did: the campaign then ends failed. */
  throwIfBatchFailed(): void {
    if (this.failedBatch) throw this.failedBatch.error;
  }

  /** True once a batch failed as a workflow. */
  get batchFailed(): boolean {
    return this.failedBatch !== undefined;
  }

  /** Counts a started batch, whose page began at `from`, into the cursor and the running set; its outcome is added when it ends. */
  track(batch: Promise<BatchOutcome>, from: LinePosition): void {
    const tally = this.waveTally();
    const counted = batch.then((outcome) => {
      addUsers(this.cursor.outcome, outcome);
      addUsers(tally.users, outcome);
      addRecords(tally.records, outcome.records);
    });
    this.cursor.batches += 1;
    const tracked = counted.finally(() => this.batches.delete(tracked));
    tracked.catch((error: unknown) => void (this.failedBatch ??= { error, from }));
    this.batches.set(tracked, from);
  }

  /** Moves the cursor to the start of the next wave. */
  nextWave(): void {
    const ended = this.currentTally();
    if (ended) ended.endedAt = Date.now();
    this.cursor.wave += 1;
    delete this.cursor.canaryLeft;
    Object.assign(this.cursor, { staged: false, next: { byte: 0, line: 0 }, pagesDone: false, batches: 0 });
  }

  progress(): CampaignProgress {
    const reason = this.pausedReason();
    return {
      campaignId: this.settings.campaignId,
      phase: this.phase,
      paused: reason !== null,
      pausedReason: reason,
      category: this.settings.categories[this.cursor.wave] ?? null,
      wave: this.cursor.wave,
      waves: this.settings.categories.length,
      users: this.cursor.users,
      batchesRunning: this.batches.size,
      pace: { ...this.pace },
      outcome: this.cursor.outcome,
      tallies: this.cursor.tallies,
    };
  }
}
