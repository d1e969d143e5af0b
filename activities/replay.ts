import { log } from '@temporalio/activity';
import type { Category, ConflictPolicy } from '../domain/categories';
import { InputError } from '../domain/errors';
import { checkSnapshotFiles } from '../snapshot/layout';
import { readManifest } from '../snapshot/manifest';
import { scanUsers } from '../snapshot/users';
import { type ControlCollections, controlIds, type SelectionPart, USER_STATES, type UserState, type UserStatusDoc } from '../store/control/control-collections';
import { whyNotReplay } from '../store/control/replay-check';
import { readSelectionChunk, writeSelection } from '../store/control/selections';
import { dropChunks } from '../store/control/staged-lines';
import type { PagedUser } from '../store/control/user-pages';
import type { ReplayPlan, ReplayRequest } from '../workflows/contracts';

/** The states of a user-category that a campaign has not finished: what `replay --unfinished` takes. */
const UNFINISHED: UserState[] = ['pending', 'validating', 'restoring', 'failed'];

/** Users' statuses read per round trip when a replay names them. */
const STATUS_READS_AT_ONCE = 8;

/** Activities that plan a replay's user-categories and hand them out a batch at a time. */
export function replayActivities(c: ControlCollections) {
  /**
   * The statuses a replay takes in one category: those it names, all failed, or all
   * unfinished; never a `restored` one (nothing to mend).
   */
  async function selectedStatuses(request: ReplayRequest, category: Category): Promise<UserStatusDoc[]> {
    const states: UserState[] = request.unfinished ? UNFINISHED : request.allFailed ? ['failed'] : USER_STATES.filter((s) => s !== 'restored' && s !== 'undone');
    const wanted = (s: UserStatusDoc | null): s is UserStatusDoc => s !== null && states.includes(s.state);
    if (!request.userIds) return c.status.find({ campaignId: request.campaignId, category, state: { $in: states } }).toArray();
    const found: UserStatusDoc[] = [];
    for (let i = 0; i < request.userIds.length; i += STATUS_READS_AT_ONCE) {
      const part = request.userIds.slice(i, i + STATUS_READS_AT_ONCE);
      found.push(...(await Promise.all(part.map((userId) => c.status.findOne({ _id: controlIds.status(request.campaignId, category, userId) })))).filter(wanted));
    }
    return found;
  }

  return {
    /**
     * Chooses the user-categories a replay re-runs and writes them as a selection of
     * batches (store/control/selections.ts): the named users' categories that are not `restored`,
     * or, with `allFailed`, the `failed` ones, or, with `unfinished`, those neither
     * `restored` nor `partial` (of the named users, or of all). Refuses
     * (InputError) what store/control/replay-check.ts refuses.
     * Idempotent: the selection is keyed by `selectionId`.
     */
    async planReplay(input: ReplayRequest & { selectionId: string; chunkUsers: number }): Promise<ReplayPlan> {
      const campaign = await c.campaigns.findOne({ _id: input.campaignId });
      const problem = whyNotReplay(input.campaignId, campaign, input.snapshotDir, (await readManifest(input.snapshotDir)).snapshotId);
      if (problem || !campaign) throw new InputError(problem ?? `no campaign ${input.campaignId}`);
      // The statuses it changes make the report the campaign closed with stale: it is read from them again.
      await c.campaigns.updateOne({ _id: input.campaignId }, { $unset: { report: '' } });
      const categories = campaign.categories.filter((cat) => !input.categories || input.categories.includes(cat));
      await checkSnapshotFiles(input.snapshotDir, categories);
      const { ids: lines } = await scanUsers(input.snapshotDir);
      const plan: ReplayPlan = { selectionId: input.selectionId, snapshotId: campaign.snapshotId, dedupe: campaign.dedupe, waves: [], notInSnapshot: [] };
      for (const category of categories) {
        const users: PagedUser[] = [];
        for (const status of await selectedStatuses(input, category)) {
          const line = lines.get(status.userId);
          if (line === undefined) {
            if (!plan.notInSnapshot.includes(status.userId)) plan.notInSnapshot.push(status.userId);
            continue;
          }
          users.push({ userId: status.userId, line, expected: { [category]: status.expected }, attemptsBefore: status.attempts });
        }
        if (users.length === 0) continue;
        const chunks = await writeSelection(c, input.selectionId, category, users, input.chunkUsers);
        plan.waves.push({ category, users: users.length, chunks, policy: campaign.policies[category] as ConflictPolicy, pageLines: campaign.pageLines?.[category] });
      }
      log.info('replay planned', { campaignId: input.campaignId, waves: plan.waves.map((w) => `${w.category}:${w.users}`).join(',') });
      return plan;
    },

    /** The users of one batch of a selection. */
    async readSelectionBatch(input: { selectionId: string; part: SelectionPart; chunk: number }): Promise<PagedUser[]> {
      return readSelectionChunk(c, input.selectionId, input.part, input.chunk);
    },

    /** Drops a selection, and the chunks its staging kept, once its run has ended. */
    async dropSelection(input: { selectionId: string }): Promise<void> {
      await c.selections.deleteMany({ selectionId: input.selectionId });
      await dropChunks(c, input.selectionId);
    },
  };
}
