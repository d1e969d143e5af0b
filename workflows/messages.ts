/**
 * The messages a campaign workflow takes and answers, as module constants that clients
 * and batch workflows import. Deterministic, free of Node imports.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchOutcome } from '../activities/types';
import type { Category } from '../domain/categories';

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
  outcome: BatchOutcome;
}

/** The operator's pause: running batches finish, no new one starts. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

/** A batch found the store unreachable and waits for it: the campaign starts no new batch meanwhile. */
export const storeUnavailableSignal = defineSignal<[{ batchId: string; reason: string }]>('storeUnavailable');
/** The store answers that batch again. */
export const storeAnswersSignal = defineSignal<[{ batchId: string }]>('storeAnswers');

export const progressQuery = defineQuery<CampaignProgress>('progress');
