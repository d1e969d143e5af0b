import { getHeapStatistics } from 'node:v8';
import { Context, log } from '@temporalio/activity';
import { WorkerMemoryError } from '../domain/errors';
import { appendTo } from '../domain/maps';
import type { Category } from '../domain/categories';
import { CATEGORY_TRAITS } from '../domain/category-traits';
import { type RecoveredRecord, recoveredOf } from '../domain/restore-plan';
import { readingSnapshot } from '../snapshot/availability';
import { type ChunkEntry, checkLines, claimOf, judgeGroup, keptBy } from '../snapshot/classify';
import { checkReadableFile, exists, snapshotFiles } from '../snapshot/layout';
import { CHUNK_LINES, chunked, type LinePosition, type NumberedLine, readLines, readLinesAt } from '../snapshot/line-reader';
import { type StagedLine, textHash } from '../snapshot/read-back';
import { scanUsers } from '../snapshot/users';
import { type ControlCollections, type StagedDoc, type StagingSummary } from '../store/control/control-collections';
import { type QuarantinedLine, writeQuarantine } from '../store/control/quarantine';
import { readSelection } from '../store/control/selections';
import { groupSize, readGroup, stagedLinesDocs, stagedPageDocs, storeRefusals, writeChunks, writeStagedLines } from '../store/control/staged-lines';
import { pageKey, pageOfLine } from '../store/control/user-pages';
import type { StageInput } from '../workflows/contracts';

/**
 * Claiming lines held in memory before they are written as chunks: what bounds staging's
 * memory (some 15 MB), and what a resumed staging reads again at most.
 */
const FLUSH_ENTRIES = 50_000;

/**
 * Lines of users.ndjson whose users' lines are judged together, as one group. Larger than a
 * page, so that a run of the file held in memory writes tens of lines per chunk document
 * even when a campaign has thousands of pages; small enough that a group's lines (some
 * 11,000 for contacts) are judged in memory at ease.
 */
const GROUP_LINES = 1000;

export interface StagingOptions {
  /** Claiming lines held before they are written (FLUSH_ENTRIES); a test sets fewer, to resume mid-file. */
  flushEntries?: number;
  /** Lines of users.ndjson per group (GROUP_LINES); a test sets fewer, to resume between groups. */
  groupLines?: number;
  /** Lines judged in memory at once (judgedLinesAtOnce, from the heap); a test sets fewer. */
  judgedLines?: number;
}

/** Groups judged at once in the second pass, at most: round trips overlapped, the pool spared. */
const GROUPS_AT_ONCE = 4;

/** Heap a judged line takes, generously: its entry, its first-line record and its place (measured: some 500 bytes). */
const BYTES_PER_JUDGED_LINE = 600;

/** Heap kept for everything else the worker holds while staging judges. */
const HEAP_SPARED = 128 * 2 ** 20;

/**
 * Lines the second pass holds in memory at once, from the heap this worker may use
 * (RESTORE_WORKER_HEAP_MIB): groups are judged together up to it, a larger one alone.
 */
export function judgedLinesAtOnce(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.max(0, Math.floor((heapLimitBytes - HEAP_SPARED) / BYTES_PER_JUDGED_LINE));
}

/** Heartbeat details: where a retried attempt resumes. Only what is written is ever in them. */
interface StagingProgress {
  /** Lines per page of users to tag documents with, fixed by the first attempt, so a resumed attempt tags as it did. */
  pageLines?: number;
  /** Lines of users.ndjson per group, fixed by the first attempt, so a resumed attempt finds the groups it wrote. */
  groupLines: number;
  /** `read`: reading the file into chunks, from `position`; `judge`: judging groups, from the `judged`-th. */
  pass: 'read' | 'judge';
  position: LinePosition;
  judged: number;
  lines: number;
  ignored: number;
  valid: number;
  quarantined: number;
}

/** Drops what was staged and quarantined for these users in a category, one indexed delete per user. */
async function dropStagedOf(c: ControlCollections, campaignId: string, category: Category, userIds: string[]): Promise<void> {
  for (const userId of userIds) {
    await c.staged.deleteMany({ campaignId, category, userId });
    await c.quarantine.deleteMany({ campaignId, category, userId });
    Context.current().heartbeat();
  }
}

/** What the passes of one staging share: where it writes, whose lines it keeps, how it counts. */
interface StagingRun {
  c: ControlCollections;
  campaignId: string;
  category: Category;
  snapshotDir: string;
  file: string;
  /** Whose chunks these are: the campaign's, or a replay's own (the campaign's may still be there). */
  run: string;
  /** Users by their line in users.ndjson. */
  users: Map<string, number>;
  /** Set for a selection: keep only its users' lines. */
  keep?: (userId: string) => boolean;
  kept: (userId: string | null) => boolean;
  /** The page a user's documents are tagged with, if the campaign pages. */
  pageOf: (userId: string | null) => string | undefined;
  /**
   * Whether a page's standing lines are packed into shared documents: a campaign's own staging,
   * not a replay's, whose users get documents of their own, which stand over the packed entries.
   */
  packs: boolean;
  /**
   * A replay's users, by group: each gets a document of its own, an empty one when none of
   * its lines stands any more, to stand over the entry its campaign packed for it.
   */
  replayed?: Map<number, string[]>;
  progress: StagingProgress;
  /** Heartbeats the progress: what it says is written. */
  beat: () => void;
  /** Heartbeats the progress at most every {@link READING_BEAT_MS}: while blobs are read, nothing new is written. */
  beatWhileReading: () => void;
}

/**
 * How often blob reads heartbeat at most. Each heartbeat is encoded and handed to Temporal's
 * core as it is made (the SDK throttles only what it sends on), and a photos file reads tens
 * of thousands of blobs, a piece or two each: some 0.5 s of the worker's CPU, profiled, while
 * the wave before restored. The heartbeat timeout is two minutes.
 */
const READING_BEAT_MS = 1_000;

/** Calls `beat` at most once every `ms` milliseconds; calls in between are dropped. */
export function atMostEvery(ms: number, beat: () => void): () => void {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    beat();
  };
}

/** Where an attempt starts: the progress a retried one heartbeated, else the first pass from the top. */
function startingProgress(input: StageInput, groupLines: number, resumed: StagingProgress | undefined): { progress: StagingProgress; resumed: boolean } {
  // A copy: this attempt goes on changing it, and heartbeats it.
  if (resumed) return { progress: { ...resumed, position: { ...resumed.position } }, resumed: true };
  const progress: StagingProgress = {
    pageLines: input.pageLines,
    groupLines,
    pass: 'read',
    position: { byte: 0, line: 0 },
    judged: 0,
    lines: 0,
    ignored: 0,
    valid: 0,
    quarantined: 0,
  };
  return { progress, resumed: false };
}

/** What a run of lines of the file comes to: lines quarantined alone (they claim no record), and claims with the store's refusals noted. */
async function claimsOfChunk(r: StagingRun, chunk: NumberedLine[]): Promise<{ alone: QuarantinedLine[]; claims: ChunkEntry[] }> {
  const checked = await checkLines(chunk, CATEGORY_TRAITS[r.category], r.snapshotDir, (u) => r.users.has(u), r.beatWhileReading, r.keep);
  const alone: QuarantinedLine[] = [];
  const claims: ChunkEntry[] = [];
  const probed: { probeId: string; record: RecoveredRecord; entry: ChunkEntry }[] = [];
  checked.forEach((line, i) => {
    const { check, number, text } = line;
    if (!r.kept(check.userId)) return;
    const claim = claimOf(line);
    if (claim === null) {
      if (check.kind === 'quarantined') alone.push({ line: number, userId: check.userId, recordId: check.recordId, reason: check.reason, raw: text });
      return;
    }
    const entry: ChunkEntry = { ...claim, at: chunk[i].at, end: chunk[i].next.byte, textHash: textHash(text) };
    claims.push(entry);
    if (check.kind === 'valid') probed.push({ probeId: `${r.run}|${r.category}|${number}`, record: recoveredOf(check.record), entry });
  });
  for (const [i, reason] of await storeRefusals(r.c, r.campaignId, probed)) probed[i].entry.refused = reason;
  return { alone, claims };
}

/**
 * The first pass: reads the file once, in file order, checks each line on its own, quarantines
 * the lines that claim no record, and writes where each claiming line is, grouped by its
 * user's group of users.ndjson, in chunks of at most `flushEntries` lines held at once.
 */
async function readPass(r: StagingRun, flushEntries: number): Promise<void> {
  const { c, campaignId, category, progress } = r;
  const context = Context.current();
  let window = { lines: 0, quarantined: 0, held: 0, groups: new Map<number, ChunkEntry[]>() };
  let position = progress.position;
  /** Writes the window's chunks, then counts it into the progress: what a heartbeat says is written. */
  const flush = async () => {
    await writeChunks(c, campaignId, r.run, category, { from: progress.position.line, to: position.line }, window.groups);
    Object.assign(progress, { position, lines: progress.lines + window.lines, quarantined: progress.quarantined + window.quarantined });
    window = { lines: 0, quarantined: 0, held: 0, groups: new Map() };
    r.beat();
  };
  for await (const chunk of chunked(readLines(r.file, progress.position), CHUNK_LINES)) {
    // A worker shutting down cancels its activities: stop here, to resume from the heartbeat.
    context.cancellationSignal.throwIfAborted();
    const { alone, claims } = await claimsOfChunk(r, chunk);
    await writeQuarantine(c, campaignId, category, alone, (l) => r.pageOf(l.userId));
    for (const entry of claims) appendTo(window.groups, pageOfLine(r.users.get(entry.userId)!, progress.groupLines), [entry]);
    window.held += claims.length;
    window.lines += chunk.length;
    window.quarantined += alone.length;
    position = chunk[chunk.length - 1].next;
    if (window.held >= flushEntries) await flush();
    else context.heartbeat(progress);
  }
  await flush();
  progress.pass = 'judge';
  r.beat();
  log.debug('category read', { campaignId, category, lines: progress.lines });
}

/** A group's standing lines as documents: packed per page where the run packs, else one per user. */
function stagedDocsOf(r: StagingRun, group: number, standing: Map<string, StagedLine[]>): StagedDoc[] {
  const { campaignId, category } = r;
  const byPage = new Map<string | undefined, [string, StagedLine[]][]>();
  const emptied = (r.replayed?.get(group) ?? []).filter((userId) => !standing.has(userId)).map((userId): [string, StagedLine[]] => [userId, []]);
  for (const entry of [...standing, ...emptied]) appendTo(byPage, r.packs ? r.pageOf(entry[0]) : undefined, [entry]);
  return [...byPage].flatMap(([page, users]) =>
    page === undefined
      ? users.flatMap(([userId, lines]) => stagedLinesDocs(campaignId, category, userId, r.pageOf(userId), lines))
      : stagedPageDocs(campaignId, category, page, group, users),
  );
}

/** Judges one group's lines together and writes what stands and what is quarantined; says what it counted. */
async function judgeOne(r: StagingRun, group: number): Promise<{ valid: number; quarantined: number; ignored: number }> {
  const { c, campaignId, category } = r;
  const { standing, bad, ignored } = judgeGroup(await readGroup(c, r.run, category, group));
  const raws = await readLinesAt(
    r.file,
    bad.map(({ entry: { at, end } }) => ({ at, end })),
  );
  const quarantined = bad.map(({ entry: { line, userId, recordId }, reason }, i): QuarantinedLine => ({ line, userId, recordId, reason, raw: raws[i] }));
  await writeQuarantine(c, campaignId, category, quarantined, (l) => r.pageOf(l.userId));
  await writeStagedLines(c, stagedDocsOf(r, group, standing));
  const valid = [...standing.values()].reduce((n, lines) => n + lines.length, 0);
  return { valid, quarantined: quarantined.length, ignored };
}

/** The next groups, from the `from`-th, whose lines fit in memory together (`atOnce`); one that does not fit alone cannot be judged here. */
async function nextSlice(r: StagingRun, groups: number[], from: number, atOnce: number): Promise<number[]> {
  const slice: number[] = [];
  let held = 0;
  for (const group of groups.slice(from, from + GROUPS_AT_ONCE)) {
    const size = await groupSize(r.c, r.run, r.category, group);
    if (slice.length === 0 && size > atOnce) {
      const first = group * r.progress.groupLines + 1;
      throw new WorkerMemoryError(
        `the users of lines ${first}–${first + r.progress.groupLines - 1} of users.ndjson hold ${size} ${r.category} lines, more than this worker judges in memory (${atOnce}); give workers a larger RESTORE_WORKER_HEAP_MIB`,
      );
    }
    if (slice.length > 0 && held + size > atOnce) break;
    slice.push(group);
    held += size;
  }
  return slice;
}

/**
 * The second pass: judges each group's lines together, in file order (the first line of a
 * (userId, recordId) stands, an identical repeat is ignored, another is quarantined) and
 * writes each user's standing lines as places in the file. A user's lines are all in its
 * group, so judging a group judges its records against the whole file.
 */
async function judgePass(r: StagingRun, atOnce: number): Promise<void> {
  const { progress } = r;
  // Every group a staged user is in, in order: the same list on every attempt.
  const groups = [...new Set([...r.users].filter(([userId]) => r.kept(userId)).map(([, line]) => pageOfLine(line, progress.groupLines)))].sort((a, b) => a - b);
  while (progress.judged < groups.length) {
    Context.current().cancellationSignal.throwIfAborted();
    const counted = await Promise.all((await nextSlice(r, groups, progress.judged, atOnce)).map((group) => judgeOne(r, group)));
    for (const n of counted) Object.assign(progress, { valid: progress.valid + n.valid, quarantined: progress.quarantined + n.quarantined, ignored: progress.ignored + n.ignored });
    progress.judged += counted.length;
    r.beat();
  }
}

/** Users by the group of users.ndjson their line is in (those not in it are in none). */
function groupsOf(userIds: Set<string>, lines: Map<string, number>, groupLines: number): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const userId of userIds) {
    const line = lines.get(userId);
    if (line !== undefined) appendTo(groups, pageOfLine(line, groupLines), [userId]);
  }
  return groups;
}

/** A run over the category file of `input`, its users read from users.ndjson. */
async function openRun(c: ControlCollections, input: StageInput, progress: StagingProgress, selected: Set<string> | undefined): Promise<StagingRun> {
  const { campaignId, snapshotDir, category, selection } = input;
  const context = Context.current();
  const { ids: users } = await scanUsers(snapshotDir);
  // Every line, or a selection's users' lines only.
  const keep = selected && ((userId: string) => selected.has(userId));
  const { pageLines } = progress;
  const beat = () => context.heartbeat(progress);
  return {
    c,
    campaignId,
    category,
    snapshotDir,
    file: snapshotFiles.category(snapshotDir, category),
    run: selection?.afresh ? selection.id : campaignId,
    users,
    keep,
    kept: keptBy(keep),
    packs: pageLines !== undefined && !selection?.afresh,
    replayed: selection?.afresh && selected ? groupsOf(selected, users, progress.groupLines) : undefined,
    pageOf: (userId) => {
      const line = userId === null ? undefined : users.get(userId);
      return line === undefined || pageLines === undefined ? undefined : pageKey(campaignId, category, line, pageLines);
    },
    progress,
    beat,
    beatWhileReading: atMostEvery(READING_BEAT_MS, beat),
  };
}

/** A replay stages its users afresh: what was staged and quarantined for them (or the whole category) goes first. */
async function dropForReplay(c: ControlCollections, { campaignId, category }: StageInput, selected: Set<string> | undefined): Promise<void> {
  if (selected) await dropStagedOf(c, campaignId, category, [...selected]);
  else await Promise.all([c.staged.deleteMany({ campaignId, category }), c.quarantine.deleteMany({ campaignId, category })]);
}

/** The summary of a staging, recorded on its campaign unless it is a replay's (whose campaign's summary stays). */
async function recordSummary(c: ControlCollections, { campaignId, category, selection }: StageInput, progress: StagingProgress): Promise<StagingSummary> {
  const summary: StagingSummary = { lines: progress.lines, valid: progress.valid, quarantined: progress.quarantined, ignored: progress.ignored };
  if (!selection?.afresh) {
    const pages = progress.pageLines === undefined ? {} : { [`pageLines.${category}`]: progress.pageLines };
    await c.campaigns.updateOne({ _id: campaignId }, { $set: { [`staging.${category}`]: summary, ...pages } });
  }
  return summary;
}

/** The activity that stages a category file into the control collections. */
export function stagingActivities(c: ControlCollections, { flushEntries = FLUSH_ENTRIES, groupLines = GROUP_LINES, judgedLines }: StagingOptions = {}) {
  return {
    /**
     * Stages one category file in two passes ({@link readPass}, {@link judgePass}); the
     * batch reads the places it writes back (snapshot/read-back.ts). Resumes from its last
     * heartbeat; every write is keyed, so work done twice leaves what doing it once leaves.
     * A snapshot that cannot be read as a whole fails it with SnapshotUnavailableError, for
     * the workflow to wait out.
     */
    stageCategory: (input: StageInput): Promise<StagingSummary> =>
      readingSnapshot(input.snapshotDir, {}, async () => {
        const { campaignId, snapshotDir, category, selection } = input;
        const file = snapshotFiles.category(snapshotDir, category);
        const { progress, resumed } = startingProgress(input, groupLines, Context.current().info.heartbeatDetails as StagingProgress | undefined);
        await checkReadableFile(file, true);
        const selected = selection && new Set((await readSelection(c, selection.id, selection.part)).map((u) => u.userId));
        if (!resumed && selection?.afresh) await dropForReplay(c, input, selected);
        if (await exists(file)) {
          const r = await openRun(c, input, progress, selected);
          if (progress.pass === 'read') await readPass(r, flushEntries);
          await judgePass(r, judgedLines ?? judgedLinesAtOnce());
        }
        const summary = await recordSummary(c, input, progress);
        log.info('category staged', { campaignId, category, ...summary, ...(selected ? { selectedUsers: selected.size } : {}) });
        return summary;
      }),
  };
}
