import { setHandler } from '@temporalio/workflow';
import type { BatchOutcome, CampaignSettings } from '../activities/types';
import type { LinePosition } from '../snapshot/line-reader';
import { type CampaignProgress, pauseSignal, progressQuery, resumeSignal, storeAnswersSignal, storeUnavailableSignal } from './messages';

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
  outcome: BatchOutcome;
  paused: boolean;
}

/** The cursor a new campaign starts from. */
export function firstCursor(): CampaignCursor {
  return {
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
  /** Batches under way, each settling when its child workflow ends. */
  readonly running = new Set<Promise<void>>();
  /** Batches waiting for the store to answer, with why: while any waits, no new batch starts. */
  private readonly waitingForStore = new Map<string, string>();

  constructor(
    readonly settings: CampaignSettings,
    readonly cursor: CampaignCursor,
    carried: boolean,
  ) {
    this.phase = carried ? 'restoring' : 'opening';
  }

  /** Registers the signal and query handlers; call once, first thing in the run. */
  handleMessages(): void {
    setHandler(pauseSignal, () => void (this.cursor.paused = true));
    setHandler(resumeSignal, () => void (this.cursor.paused = false));
    setHandler(storeUnavailableSignal, ({ batchId, reason }) => void this.waitingForStore.set(batchId, reason));
    setHandler(storeAnswersSignal, ({ batchId }) => void this.waitingForStore.delete(batchId));
    setHandler(progressQuery, () => this.progress());
  }

  /** Why no new batch starts, in words for the operator; null while batches may start. */
  pausedReason(): string | null {
    if (this.cursor.paused) return 'paused by the operator';
    if (this.waitingForStore.size === 0) return null;
    return `the store does not answer (${this.waitingForStore.size} batch(es) waiting for it): ${[...this.waitingForStore.values()][0]}`;
  }

  /** True when a batch may start: not paused, and fewer than `concurrency` running. */
  mayStartBatch(concurrency: number): boolean {
    return this.pausedReason() === null && this.running.size < concurrency;
  }

  /** Counts a started batch into the cursor and the running set; its outcome is added when it ends. */
  track(batch: Promise<BatchOutcome>): void {
    const counted = batch.then((outcome) => {
      this.cursor.outcome.restored += outcome.restored;
      this.cursor.outcome.partial += outcome.partial;
      this.cursor.outcome.failed += outcome.failed;
    });
    this.cursor.batches += 1;
    const tracked = counted.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Moves the cursor to the start of the next wave. */
  nextWave(): void {
    this.cursor.wave += 1;
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
      batchesRunning: this.running.size,
      outcome: this.cursor.outcome,
    };
  }
}
