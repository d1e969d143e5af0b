import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, CampaignReport, CampaignSettings, LinePosition, PagedUser, StagingSummary, UserPage } from './contracts';
import type { Category } from '../domain/categories';
import { type CampaignCursor, CampaignState, firstCursor } from './campaign-state';
import { failureOf } from './failure-of';
import { runBatchChild } from './batch-child';
import { CONTROL_ACTIVITY, SNAPSHOT_STEP, STAGING_ACTIVITY } from './retry';
import { untilSnapshotReads } from './snapshot-wait';

const { readSelectionBatch, closeCampaign } = proxyActivities<Activities>(CONTROL_ACTIVITY);
const { openCampaign, listUserPage, listUserBatches } = proxyActivities<Activities>(SNAPSHOT_STEP);
const { stageCategory } = proxyActivities<Activities>(STAGING_ACTIVITY);
/** Staging ahead, beside batches: a campaign that ends meanwhile waits for it to stop, so it writes nothing after the close. */
const { stageCategory: stageCategoryAhead } = proxyActivities<Activities>({ ...STAGING_ACTIVITY, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });

/** Batches started per run before the campaign continues as new, keeping its history bounded. */
const DEFAULT_BATCHES_PER_RUN = 200;

export interface CampaignInput {
  settings: CampaignSettings;
  /** Users per page of users.ndjson, and per child workflow unless `recordsPerBatch` groups pages. */
  batchSize: number;
  /**
   * Records a batch aims at: a wave whose users expect few records takes several pages per
   * batch (domain/batch-pages.ts); absent: one page per batch, `batchSize` users exactly.
   */
  recordsPerBatch?: number;
  /** Child workflows running at once. */
  concurrency: number;
  /** Batches per run before continue-as-new; default {@link DEFAULT_BATCHES_PER_RUN}. */
  batchesPerRun?: number;
  /** A ceiling on records started per second; absent: none. The operator can change it, and the concurrency, while it runs. */
  maxRecordsPerSecond?: number;
  /** Restore the first wave for this many users, then pause until the operator resumes. Not for a scoped campaign. */
  canary?: number;
  /** Pause before restoring a wave whose quarantined share of its records is above this (0–1). */
  maxQuarantineRate?: number;
  /** Give batch workflows the campaign's search attributes (workflows/search-attributes.ts): set when they are registered. */
  searchAttributes?: boolean;
}

/** Why the campaign pauses itself before a wave, or null: its quarantined share is above the limit. */
function quarantineRateProblem(category: string, staged: StagingSummary, limit: number | undefined): string | null {
  const records = staged.valid + staged.quarantined;
  if (limit === undefined || records === 0 || staged.quarantined / records <= limit) return null;
  const share = (n: number) => `${(n * 100).toFixed(1)}%`;
  return `${share(staged.quarantined / records)} of the ${category} records (${staged.quarantined} of ${records}) are quarantined, above the limit of ${share(limit)}; look at them (restorectl failures), then resume or cancel`;
}

/** Chunk `chunk` of a scoped campaign's users, as a page: `next.line` counts chunks. */
async function scopedPage(campaignId: string, chunk: number, chunks: number): Promise<UserPage> {
  const users = chunk < chunks ? await readSelectionBatch({ selectionId: campaignId, part: 'users', chunk }) : [];
  return { users, next: { byte: 0, line: chunk + 1 }, done: chunk + 1 >= chunks };
}

/** Records a page's users expect in `category`: what the pace's ceiling counts. */
function recordsOf(users: PagedUser[], category: string): number {
  return users.reduce((n, u) => n + (u.expected[category] ?? 0), 0);
}

/** Patch: a campaign given `recordsPerBatch` asks its open how many pages each wave's batches take. */
const BATCHES_BY_RECORDS = 'batches-by-records';

/** What openCampaign is asked besides the page size: the records a batch aims at and the batches run at once, under the patch. */
function batchesByRecords(input: CampaignInput): { recordsPerBatch?: number; batchesAtOnce?: number } {
  return input.recordsPerBatch !== undefined && patched(BATCHES_BY_RECORDS) ? { recordsPerBatch: input.recordsPerBatch, batchesAtOnce: input.concurrency } : {};
}

/** What the steps of one campaign run share. */
interface CampaignRun {
  input: CampaignInput;
  state: CampaignState;
  /** Runs a campaign step that reads the snapshot, waiting out a snapshot it cannot read and saying so in the progress. */
  reading: <T>(step: () => Promise<T>) => Promise<T>;
  /** The next wave's staging, started while the wave before restores, in a scope of its own. */
  stagingAhead?: { category: Category; summary: Promise<StagingSummary>; scope: CancellationScope; settled: boolean };
  /** The next wave's first batches, listed while the last batches of the wave before run. */
  firstBatchesAhead?: { wave: number; listed: Promise<UserPage[]> };
}

/** Patch: the next wave's category file is staged while the last batches of the wave before run. */
const STAGE_AHEAD = 'stage-ahead';

/** Stages a wave's category file (waiting out a snapshot it cannot read). */
function stagingOf({ input, state, reading }: CampaignRun, category: Category, stage = stageCategory): Promise<StagingSummary> {
  const { settings } = input;
  const scope = state.cursor.scopeChunks === undefined ? {} : { selection: { id: settings.campaignId, part: 'users' as const, afresh: false } };
  return reading(() => stage({ campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, category, pageLines: input.batchSize, ...scope }));
}

/**
 * Patch: the next wave's file is staged from the start of a wave, not its last batches: at
 * 20,000 users, calendar, notes and tasks each waited 1.8–2.7 s for their staging after the
 * wave before had ended; at 800,000 users a file takes minutes to stage. Not during a canary,
 * which may well be cancelled. A run that continues as new waits for the staging first and
 * carries its summary (CampaignCursor.stagedAhead).
 */
const STAGED_A_WAVE_AHEAD = 'staged-a-wave-ahead';

/**
 * Starts staging the next wave's file, so that it is staged while this wave's batches run
 * and the next wave starts restoring at once: once a wave's batches are all started (when
 * fewer run than may), and under {@link STAGED_A_WAVE_AHEAD} from the wave's start. Once a
 * wave: a staging started or carried is not started again. Not while paused: a paused
 * campaign reads no more of the snapshot than it must.
 */
function stageAhead(run: CampaignRun): void {
  const { settings } = run.input;
  const { cursor } = run.state;
  const category = settings.categories[cursor.wave + 1];
  if (category === undefined || cursor.paused || !patched(STAGE_AHEAD)) return;
  if (run.stagingAhead?.category === category || cursor.stagedAhead?.category === category) return;
  const scope = new CancellationScope();
  const ahead = { category, summary: scope.run(() => stagingOf(run, category, stageCategoryAhead)), scope, settled: false };
  // Awaited by the next wave; a campaign that ends before it does not leave it unhandled.
  const settle = () => void (ahead.settled = true);
  ahead.summary.then(settle, settle);
  run.stagingAhead = ahead;
}

/** Stages the wave's category file once (or takes the staging started ahead), and pauses before the wave when too much of it is quarantined. */
async function stageWave(run: CampaignRun, category: Category): Promise<void> {
  const { input, state } = run;
  const { cursor } = state;
  if (cursor.staged) return;
  state.phase = 'staging';
  const ahead = run.stagingAhead?.category === category ? run.stagingAhead.summary : undefined;
  const carried = cursor.stagedAhead?.category === category ? cursor.stagedAhead.summary : undefined;
  delete run.stagingAhead;
  delete cursor.stagedAhead;
  const staged = carried ?? (await (ahead ?? stagingOf(run, category)));
  cursor.staged = true;
  const problem = quarantineRateProblem(category, staged, input.maxQuarantineRate);
  if (problem) state.pause(problem);
}

/**
 * Patch: a wave lists its next batch's users while its running batches fill the window, so
 * that a batch starts as soon as a place frees, not a listing later; and a batch of several
 * pages is listed by one activity, not one per page (three listings took some 0.2 s on the
 * stack, most of it the round trips of their tasks). Not while paused: a paused campaign
 * reads no more of the snapshot than it must. A later wave's users carry what they expect
 * of its category alone: each batch's users are in the history twice (listed, then the
 * child's input), and a history Temporal finds large has the campaign continue as new,
 * which waits for its running batches first.
 */
const PAGES_LISTED_AHEAD = 'pages-listed-ahead';

/**
 * The next page of users from the cursor: of users.ndjson (a canary's at most), or of a
 * scoped campaign's chunks. Asked for more `pages` of users.ndjson, one listing reads them all.
 */
function nextPage(run: CampaignRun, from: LinePosition, pages = 1): Promise<UserPage> {
  const { cursor } = run.state;
  if (cursor.scopeChunks !== undefined) return scopedPage(run.input.settings.campaignId, from.line, cursor.scopeChunks);
  const listing = {
    ...listingFrom(run, from),
    ...(cursor.canaryLeft === undefined ? {} : { maxUsers: cursor.canaryLeft }),
    ...(pages > 1 ? { pages } : {}),
  };
  return run.reading(() => listUserPage(listing));
}

/** What every listing of users.ndjson from `from` asks, for wave `wave` (the current one unless said). */
function listingFrom({ input, state }: CampaignRun, from: LinePosition, wave = state.cursor.wave) {
  const { settings } = input;
  // The first wave's entries note what the later waves expect; a later wave's users need only their own category's.
  const categories = patched(PAGES_LISTED_AHEAD) && wave > 0 ? [settings.categories[wave]] : settings.categories;
  return { campaignId: settings.campaignId, snapshotDir: settings.snapshotDir, from, limit: input.batchSize, categories };
}

/**
 * Patch: a wave's last batches take fewer pages, so that its lanes end together. Batches of
 * three pages left the last of a small wave's 14 batches running alone, for a second, on a
 * machine with room for more (a simulation of the lanes: 6.5 s → 6.0 s).
 */
const LAST_BATCHES_SMALLER = 'last-batches-smaller';

/**
 * Pages the batch from `from` takes: its wave's pages per batch or, under
 * {@link LAST_BATCHES_SMALLER}, no more than leave each running lane a share of the pages
 * left. The pages left are counted from the campaign's users, as if each line held one: a
 * file with lines that hold none has its batches shrink a little early, no more.
 */
function pagesOfBatch(run: CampaignRun, category: Category, from: LinePosition): number {
  const { cursor, pace } = run.state;
  const pages = cursor.pagesPerBatch?.[category] ?? 1;
  if (pages === 1 || !patched(LAST_BATCHES_SMALLER)) return pages;
  const left = Math.ceil(Math.max(0, cursor.users - from.line) / run.input.batchSize);
  return Math.max(1, Math.min(pages, Math.ceil(left / pace.concurrency)));
}

/**
 * The users of the next batch from the cursor: its pages (pagesOfBatch; one for a canary,
 * which counts its users page by page, and for a scoped campaign), as one page that ends
 * where the last ends; under {@link PAGES_LISTED_AHEAD}, in one listing.
 */
async function nextPages(run: CampaignRun, category: Category, from: LinePosition): Promise<UserPage> {
  const { cursor } = run.state;
  const pages = cursor.canaryLeft === undefined && cursor.scopeChunks === undefined ? pagesOfBatch(run, category, from) : 1;
  if (pages > 1 && patched(PAGES_LISTED_AHEAD)) return nextPage(run, from, pages);
  let page = await nextPage(run, from);
  const users = [...page.users];
  for (let taken = 1; taken < pages && !page.done; taken++) {
    page = await nextPage(run, page.next);
    users.push(...page.users);
  }
  return { ...page, users };
}

/**
 * Patch: where several places are free (a wave's first batches, or after several ended
 * together), one listing gives the users of as many batches, and they start together: the
 * first four batches of a small wave started over some 0.6 s, a listing each, while the
 * machine had work for all of them.
 */
const BATCHES_LISTED_TOGETHER = 'batches-listed-together';

/**
 * Users one listing gives at most: its result is one payload in the campaign's history,
 * which Temporal refuses above 2 MB. A user is 50–130 bytes of it (more categories listed,
 * more bytes): some 0.3–0.8 MB, four batches of 1,500 users, a small wave's.
 */
const MAX_USERS_LISTED_AT_ONCE = 6000;

/** Batches of `pages` pages one listing gives for `places` free places: no more users than {@link MAX_USERS_LISTED_AT_ONCE}. */
function batchesListedFor(run: CampaignRun, pages: number, places: number): number {
  return Math.min(places, Math.floor(MAX_USERS_LISTED_AT_ONCE / (pages * run.input.batchSize)));
}

/**
 * The batches to start next from the cursor, in order: one (nextPages), or under
 * {@link BATCHES_LISTED_TOGETHER} as many as places are free, listed together, each
 * starting where the one before ends. Not for a canary, which counts its users batch by
 * batch, nor a scoped campaign, whose batches are its chunks.
 */
async function nextBatches(run: CampaignRun, category: Category, from: LinePosition): Promise<UserPage[]> {
  const { cursor } = run.state;
  if (cursor.canaryLeft !== undefined || cursor.scopeChunks !== undefined) return [await nextPages(run, category, from)];
  const pages = pagesOfBatch(run, category, from);
  const batches = batchesListedFor(run, pages, run.state.freePlaces());
  if (batches < 2 || !patched(BATCHES_LISTED_TOGETHER)) return [await nextPages(run, category, from)];
  const listing = { ...listingFrom(run, from), pages, batches };
  return run.reading(() => listUserBatches(listing));
}

/**
 * Patch: the next wave's first batches are listed while the last batches of the wave before
 * run, so that they start as soon as it ends: they started 0.3–0.9 s after it, a listing and
 * its workflow tasks later.
 */
const NEXT_WAVE_LISTED_AHEAD = 'next-wave-listed-ahead';

/**
 * Once a wave's pages are all started, lists the next wave's first batches, as many as may
 * run at once, for that wave to start with. Not while paused (a paused campaign reads no more
 * of the snapshot than it must), nor for a scoped campaign, whose batches are its chunks.
 */
function listNextWaveAhead(run: CampaignRun): void {
  const { input, state } = run;
  const { cursor } = state;
  const wave = cursor.wave + 1;
  const category = input.settings.categories[wave];
  if (category === undefined || state.pausedReason() !== null || cursor.scopeChunks !== undefined || !patched(NEXT_WAVE_LISTED_AHEAD)) return;
  const from = { byte: 0, line: 0 };
  const pages = pagesOfBatch(run, category, from);
  const batches = Math.max(1, batchesListedFor(run, pages, state.pace.concurrency));
  const listing = { ...listingFrom(run, from, wave), pages, batches };
  const listed = run.reading(() => listUserBatches(listing));
  // Awaited by the next wave; a campaign that ends before it does not leave it unhandled.
  listed.catch(() => undefined);
  run.firstBatchesAhead = { wave, listed };
}

/** Starts the batch child of a page's users, tracked by the campaign's window from the page's first line. */
function startBatch({ input, state }: CampaignRun, category: Category, users: PagedUser[], from: LinePosition): void {
  const { settings } = input;
  const { cursor } = state;
  state.track(
    runBatchChild(`${settings.campaignId}-${category}-${cursor.batches}`, input.searchAttributes, {
      campaignId: settings.campaignId,
      snapshotId: cursor.snapshotId,
      snapshotDir: settings.snapshotDir,
      category,
      policy: settings.policies[category],
      dedupe: settings.dedupe,
      users,
      initCategories: cursor.wave === 0 ? settings.categories : [],
      ...(settings.dryRun ? { dryRun: true } : {}),
    }),
    from,
  );
  if (cursor.canaryLeft !== undefined) cursor.canaryLeft -= users.length;
}

/** Once a canary's users are all started: waits for them, then pauses for the operator to look, unless nothing is left. */
async function canaryCheckpoint({ input, state }: CampaignRun, category: Category): Promise<void> {
  const { cursor } = state;
  if (cursor.canaryLeft === undefined || (cursor.canaryLeft > 0 && !cursor.pagesDone)) return;
  // The canary's users are all back before the operator is asked to look at them.
  await Promise.all(state.running);
  const users = (input.canary ?? 0) - Math.max(0, cursor.canaryLeft);
  delete cursor.canaryLeft;
  if (!cursor.pagesDone || cursor.wave + 1 < input.settings.categories.length) {
    state.pause(`canary done: ${category} restored for ${users} user${users === 1 ? '' : 's'}; check them (restorectl campaign status, user status), then resume`);
  }
}

/**
 * Patch: a run due to continue as new goes on starting batches while the next wave's file is
 * being staged ahead, and continues once that staging has ended. It used to drain its window,
 * then wait for the staging with nothing running: at 20,000 users the notes wave ran no batch
 * for 1.4 s while the staging of tasks ended. Bounded by the history's size and length, kept
 * far below Temporal's limits (50 MB, 51,200 events).
 */
const CONTINUED_AFTER_STAGING = 'continued-after-staging';

/** Past these, a run continues as new even while a staging runs ahead. */
const MAX_HISTORY_WHILE_STAGING = { bytes: 10 * 1024 * 1024, events: 20_000 };

/** Whether the run has started enough batches (or Temporal finds its history large) to continue as new now. */
function dueToContinueAsNew(run: CampaignRun, startedThisRun: { n: number }): boolean {
  const info = workflowInfo();
  const due = startedThisRun.n >= (run.input.batchesPerRun ?? DEFAULT_BATCHES_PER_RUN) || info.continueAsNewSuggested;
  if (!due || !patched(CONTINUED_AFTER_STAGING)) return due;
  const staging = run.stagingAhead !== undefined && !run.stagingAhead.settled;
  return !staging || info.historySize >= MAX_HISTORY_WHILE_STAGING.bytes || info.historyLength >= MAX_HISTORY_WHILE_STAGING.events;
}

/**
 * Pages the wave's users into batches until none is left. A pause, the pace and the window
 * hold each batch; a batch that failed as a workflow ends the campaign. Answers true when
 * the run has started enough batches to continue as new.
 */
async function restoreWave(run: CampaignRun, category: Category, startedThisRun: { n: number }): Promise<boolean> {
  const { state } = run;
  const { cursor } = state;
  state.phase = 'restoring';
  if (cursor.canaryLeft === undefined && patched(STAGED_A_WAVE_AHEAD)) stageAhead(run);
  // Batches listed and not yet started, in order, each from where the one before ends: the cursor moves as each starts.
  const ahead = run.firstBatchesAhead?.wave === cursor.wave ? run.firstBatchesAhead.listed : undefined;
  delete run.firstBatchesAhead;
  const listed: UserPage[] = ahead ? [...(await ahead)] : [];
  while (!cursor.pagesDone) {
    const from = cursor.next;
    if (listed.length === 0 && state.pausedReason() === null && patched(PAGES_LISTED_AHEAD)) listed.push(...(await nextBatches(run, category, from)));
    // A batch that failed as a workflow ends the campaign here.
    await condition(() => state.mayStartBatch() || state.batchFailed);
    state.throwIfBatchFailed();
    const page = listed.shift() ?? (await nextPages(run, category, from));
    if (page.users.length > 0) {
      const wait = state.waitBeforeBatch(recordsOf(page.users, category));
      if (wait > 0) await sleep(wait);
      // A pause that came while the page was read or the pace waited holds this batch too.
      await condition(() => state.mayStartBatch());
    }
    cursor.next = page.next;
    cursor.pagesDone = page.done;
    if (page.users.length > 0) {
      startBatch(run, category, page.users, from);
      startedThisRun.n += 1;
    }
    await canaryCheckpoint(run, category);
    if (!cursor.pagesDone && dueToContinueAsNew(run, startedThisRun)) return true;
  }
  stageAhead(run);
  listNextWaveAhead(run);
  await Promise.all(state.running);
  return false;
}

/** Before continuing as new: waits for a staging started ahead, and notes its summary in the cursor for the next run. */
async function carryStagingAhead(run: CampaignRun): Promise<void> {
  if (!run.stagingAhead) return;
  const { category, summary } = run.stagingAhead;
  run.state.cursor.stagedAhead = { category, summary: await summary };
  delete run.stagingAhead;
}

/**
 * Closes a campaign that ended on an error: cancelled, or failed with its cause. Its running
 * batches end first, so that none writes a status after the close; a first wave cut short
 * gives the users it never reached their pending entries.
 */
async function closeOnError({ input, state, stagingAhead }: CampaignRun, err: unknown): Promise<void> {
  const { cursor } = state;
  const ending = isCancellation(err) ? 'cancelled' : 'failed';
  const error = ending === 'failed' ? failureOf(err) : null;
  await CancellationScope.nonCancellable(async () => {
    // Batches end first (cancelled ones end their activities), so that none writes a status
    // after the close set it; a staging started ahead stops, and writes nothing after it either.
    stagingAhead?.scope.cancel();
    await Promise.allSettled([...state.running, ...(stagingAhead ? [stagingAhead.summary] : [])]);
    // A first wave cut short leaves users without entries: the close gives them theirs, pending.
    const unreachedFrom = cursor.wave === 0 && cursor.snapshotId ? { unreachedFrom: state.unreachedFrom() } : {};
    await closeCampaign({ campaignId: input.settings.campaignId, state: ending, error, ...unreachedFrom });
  });
}

/**
 * A restore campaign: one wave per category in priority order; in each wave, the
 * category file is staged once, then users are paged from users.ndjson into batch
 * child workflows, `concurrency` at a time. Pausing stops new batches; running ones
 * finish. A batch that finds the store unreachable waits for it, and says so: the
 * campaign then starts no new batch until the store answers, and goes on by itself. A
 * snapshot that cannot be read as a whole is waited out the same way, by the campaign's
 * own steps (open, stage, page) and by its batches. The
 * history stays bounded: after `batchesPerRun` batches (or sooner, when Temporal suggests
 * it), once a staging running ahead has ended, the campaign drains its window and continues
 * as new with its cursor.
 */
export async function campaignWorkflow(input: CampaignInput, carried?: CampaignCursor): Promise<CampaignReport> {
  const { settings } = input;
  const pace = { concurrency: input.concurrency, maxRecordsPerSecond: input.maxRecordsPerSecond ?? null };
  const state = new CampaignState(settings, carried ?? firstCursor(pace, input.canary), carried !== undefined);
  const { cursor } = state;
  state.handleMessages();
  const run: CampaignRun = {
    input,
    state,
    reading: (step) => untilSnapshotReads(step, settings.campaignId, settings.snapshotDir, (reason) => state.snapshotWait('campaign', reason)),
  };

  try {
    if (!carried) Object.assign(cursor, await run.reading(() => openCampaign(settings, { pageLines: input.batchSize, ...batchesByRecords(input) })));
    const startedThisRun = { n: 0 };
    for (; cursor.wave < settings.categories.length; state.nextWave()) {
      const category = settings.categories[cursor.wave];
      await stageWave(run, category);
      if (await restoreWave(run, category, startedThisRun)) {
        await Promise.all(state.running);
        await carryStagingAhead(run);
        await condition(allHandlersFinished);
        return await continueAsNew<typeof campaignWorkflow>(input, cursor);
      }
    }
    state.phase = 'closing';
    const report = await closeCampaign({ campaignId: settings.campaignId, state: 'completed' });
    state.phase = 'done';
    return report;
  } catch (err) {
    // Continuing as new is not an end.
    if (err instanceof ContinueAsNew) throw err;
    // The campaign's record is written first thing, so one that failed while opening is
    // closed too, and the cause reaches its status.
    await closeOnError(run, err);
    throw err;
  }
}
