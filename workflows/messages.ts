/**
 * The messages a campaign workflow takes and answers, as module constants that clients
 * and batch workflows import. Deterministic, free of Node imports.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RecordTally } from './contracts';
import type { Category } from '../domain/categories';
import type { UserTally } from './outcome';
import type { CampaignPace, PaceChange } from './pace';

/** One wave's users and records so far; rates and ETAs are the reader's to compute, on its own clock. */
export interface WaveTally {
  category: Category;
  /** Users whose batch ended, per state. */
  users: { restored: number; partial: number; failed: number };
  records: RecordTally;
  /** Workflow time (ms since the epoch) its first batch started and its last ended; null before. */
  startedAt: number | null;
  endedAt: number | null;
}

export interface CampaignProgress {
  campaignId: string;
  phase: 'opening' | 'staging' | 'restoring' | 'closing' | 'done';
  paused: boolean;
  /** Why no new batch starts, in words for the operator; null while batches start. */
  pausedReason: string | null;
  category: Category | null;
  wave: number;
  waves: number;
  users: number;
  batchesRunning: number;
  pace: CampaignPace;
  outcome: UserTally;
  /** Per wave started, in wave order. */
  tallies: WaveTally[];
}

/** The operator's pause: running batches finish, no new one starts. */
export const pauseSignal = defineSignal('pause');
/** Lifts any pause, the operator's or the campaign's own (canary done, too much quarantined). */
export const resumeSignal = defineSignal('resume');

/**
 * Changes the pace of a running campaign; answers the pace now in force. Its validator
 * refuses a bad change (workflows/pace.ts) before it is recorded, and the campaign goes on
 * unchanged. The pace is carried across continue-as-new.
 */
export const setPaceUpdate = defineUpdate<CampaignPace, [PaceChange]>('setPace');

/** A batch found the store unreachable and waits for it: the campaign starts no new batch meanwhile. */
export const storeUnavailableSignal = defineSignal<[{ batchId: string; reason: string }]>('storeUnavailable');
/** The store answers that batch again. */
export const storeAnswersSignal = defineSignal<[{ batchId: string }]>('storeAnswers');

/**
 * A step cannot read the snapshot and waits for it (`reason`, in words for the operator), or,
 * with `reason` null, reads it again: while any waits, the campaign starts no new batch.
 */
export const snapshotWaitSignal = defineSignal<[{ stepId: string; reason: string | null }]>('snapshotWait');

export const progressQuery = defineQuery<CampaignProgress>('progress');
