import { Context, log } from '@temporalio/activity';
import type { Category } from '../domain/categories';
import { CATEGORY_TRAITS } from '../domain/category-traits';
import { checkLines, claimLines } from '../snapshot/classify';
import { checkReadableFile, exists, snapshotFiles } from '../snapshot/layout';
import { chunked, type LinePosition, type NumberedLine, readLines } from '../snapshot/line-reader';
import { scanUsers } from '../snapshot/users';
import { StoreClaimRegistry } from '../store/claim-registry';
import { type ControlCollections, ensureControlIndexes, type StagingSummary } from '../store/control-collections';
import { type QuarantinedLine, writeQuarantine } from '../store/quarantine';
import { readSelection } from '../store/selections';
import { pageKey } from '../store/user-pages';
import type { StageInput } from './types';

/** Lines classified and written per round trip; also how often progress is heartbeated. */
const CHUNK_LINES = 500;

/** Heartbeat details: where a retried attempt resumes. */
interface StagingProgress {
  /**
   * Lines per page of users to tag documents with, fixed by the first attempt: a resumed
   * attempt tags as the first did, and one resumed from an attempt that predates pages
   * tags nothing, so a page never holds only some of its documents.
   */
  pageLines?: number;
  position: LinePosition;
  lines: number;
  ignored: number;
  /** Lines staged as valid and quarantined so far; absent in details of attempts that counted them by a query at the end. */
  valid?: number;
  quarantined?: number;
}

/** Drops what was staged and quarantined for these users in a category, one indexed delete per user. */
async function dropStagedOf(c: ControlCollections, campaignId: string, category: Category, userIds: string[]): Promise<void> {
  for (const userId of userIds) {
    await c.staged.deleteMany({ campaignId, category, userId });
    await c.quarantine.deleteMany({ campaignId, category, userId });
    Context.current().heartbeat();
  }
}

/** The activity that stages a category file into the control collections. */
export function stagingActivities(c: ControlCollections) {
  return {
    /**
     * Reads one category file once, in file order, and stages it: each record that
     * stands goes to staged_records under its (userId, recordId), each bad line to
     * quarantine with its reason and line number, identical repeats are counted and
     * dropped. Resumes from its last heartbeat; every write is keyed, so a line
     * staged twice leaves one document.
     */
    async stageCategory(input: StageInput): Promise<StagingSummary> {
      const { campaignId, snapshotDir, category } = input;
      const file = snapshotFiles.category(snapshotDir, category);
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as StagingProgress | undefined;
      const progress: StagingProgress = resumed ?? {
        pageLines: input.pageLines,
        position: { byte: 0, line: 0 },
        lines: 0,
        ignored: 0,
        valid: 0,
        quarantined: 0,
      };
      await checkReadableFile(file, true);
      // Campaigns opened before pages existed lack the page index their batches now read by.
      await ensureControlIndexes(c);
      const { selection } = input;
      const selected = selection && new Set((await readSelection(c, selection.id, selection.part)).map((u) => u.userId));
      // Afresh for the selected users; an attempt resumed from a heartbeat finds this done.
      if (selected && selection.afresh && !resumed) await dropStagedOf(c, campaignId, category, [...selected]);
      if (await exists(file)) {
        const { ids: users } = await scanUsers(snapshotDir);
        const { pageLines } = progress;
        const pageOf = (userId: string) => {
          const line = users.get(userId);
          return line === undefined || pageLines === undefined ? undefined : pageKey(campaignId, category, line, pageLines);
        };
        const registry = new StoreClaimRegistry(c.staged, campaignId, category, pageOf);
        /** Claims a checked run and writes its quarantine, then counts it into the progress: once its writes landed, with its position, so a run done again after a crash counts once. */
        const land = async (chunk: NumberedLine[], checked: Awaited<ReturnType<typeof checkLines>>) => {
          const outcomes = await claimLines(checked, registry);
          const quarantined: QuarantinedLine[] = outcomes.filter((o) => o.kind === 'quarantined');
          await writeQuarantine(c, campaignId, category, quarantined, (l) => (l.userId === null ? undefined : pageOf(l.userId)));
          progress.ignored += outcomes.filter((o) => o.kind === 'ignored').length;
          if (progress.valid !== undefined) progress.valid += outcomes.filter((o) => o.kind === 'valid').length;
          if (progress.quarantined !== undefined) progress.quarantined += quarantined.length;
          progress.lines += chunk.length;
          progress.position = chunk[chunk.length - 1].next;
          context.heartbeat(progress);
        };
        // A run is checked (parsing, schemas, digests, blobs: this process's work) while the
        // run before it is claimed and written (the store's work); claims stay in file order.
        let landing: Promise<void> = Promise.resolve();
        for await (const chunk of chunked(readLines(file, progress.position), CHUNK_LINES)) {
          const checked = await checkLines(chunk, CATEGORY_TRAITS[category], snapshotDir, (u) => users.has(u), () => context.heartbeat(progress), selected && ((u) => selected.has(u)));
          await landing;
          // A worker shutting down cancels its activities: stop here, to resume from the heartbeat.
          context.cancellationSignal.throwIfAborted();
          landing = land(chunk, checked);
          // Handled here too, so a failure while the next run is checked is not an unhandled rejection; awaited above or below.
          landing.catch(() => undefined);
        }
        await landing;
      }
      const summary: StagingSummary = {
        lines: progress.lines,
        // Counting in the store costs a pass over every staged document on FerretDB, which filters `$ne` itself.
        valid: progress.valid ?? (await c.staged.countDocuments({ campaignId, category, $or: [{ recordJson: { $ne: null } }, { record: { $ne: null } }] })),
        quarantined: progress.quarantined ?? (await c.quarantine.countDocuments({ campaignId, category })),
        ignored: progress.ignored,
      };
      // A replay's staging is part of the campaign's: its summary stays that of the campaign.
      if (!selection?.afresh) {
        const pages = progress.pageLines === undefined ? {} : { [`pageLines.${category}`]: progress.pageLines };
        await c.campaigns.updateOne({ _id: campaignId }, { $set: { [`staging.${category}`]: summary, ...pages } });
      }
      log.info('category staged', { campaignId, category, ...summary, ...(selected ? { selectedUsers: selected.size } : {}) });
      return summary;
    },
  };
}
