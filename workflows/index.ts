/** The workflows a restorectl worker registers. Deterministic code only: see docs/design.md §2. */
export { campaignWorkflow } from './campaign';
export type { CampaignInput } from './campaign';
export type { CampaignCursor } from './campaign-state';
export { pauseSignal, resumeSignal, setPaceUpdate, progressQuery, snapshotWaitSignal, storeUnavailableSignal, storeAnswersSignal } from './messages';
export type { CampaignPace, PaceChange } from './pace';
export type { CampaignProgress, WaveTally } from './messages';
export { restoreBatchWorkflow } from './restore-batch';
export { replayWorkflow, replayWorkflowId } from './replay';
export { deliveryWorkflow, deliveryWorkflowId } from './delivery';
export { undoWorkflow, undoWorkflowId } from './undo';
export type { UndoReport, UndoWorkflowInput } from './undo';
export type { DeliveryInput } from './delivery';
export type { ReplayInput, ReplayReport } from './replay';
export { SEARCH_ATTRIBUTES, searchAttributesOf } from './search-attributes';
