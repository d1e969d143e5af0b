/** The workflows a restorectl worker registers. Deterministic code only: see DESIGN.md §2. */
export { campaignWorkflow, pauseSignal, resumeSignal, progressQuery } from './campaign';
export type { CampaignInput, CampaignCursor, CampaignProgress } from './campaign';
export { restoreBatchWorkflow } from './restore-batch';
