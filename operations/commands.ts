import type { Client } from '@temporalio/client';
import { resolve } from 'node:path';
import { cancelCampaign, checkSnapshot, pauseCampaign, resumeCampaign, setCampaignPace, startCampaign, type StartCampaignOptions } from '../client/campaigns';
import { type ReplayOptions, startReplay } from '../client/replays';
import { startUndo, type UndoOptions } from '../client/undo';
import { workerPolls } from '../client/temporal';
import type { Env } from '../config/env';
import { CATEGORIES, inWaveOrder } from '../domain/categories';
import { InputError } from '../domain/errors';
import { type Actor, writeAudit } from '../store/control/audit-log';
import type { ControlCollections } from '../store/control/control-collections';
import type { Stores } from '../store/mongo/connection';
import { liveIndexing } from '../store/live/live-indexes';
import type { CampaignPace, PaceChange } from '../workflows';

/** What an operator command needs: the environment, Temporal, and both databases. */
export interface OperationDeps {
  env: Env;
  client: Client;
  stores: Stores;
  c: ControlCollections;
}

export interface StartRequest extends StartCampaignOptions {
  /** Start even where a live collection has no index led by userId. */
  allowUnindexed?: boolean;
  /** Do not ask Temporal whether a worker polls the task queue (the warning when none does). */
  skipWorkerCheck?: boolean;
}

/**
 * Checks the live collections a campaign will write: refuses (InputError) one without an
 * index led by userId, unless allowed; warns of one without a unique (userId, recordId) index.
 */
async function checkLiveIndexes(deps: OperationDeps, request: StartRequest): Promise<string[]> {
  const categories = inWaveOrder(request.categories ?? [...CATEGORIES]);
  const indexing = await liveIndexing(deps.stores.target, categories);
  const db = deps.env.RESTORE_TARGET_DB;
  const unindexed = categories.filter((c) => !indexing[c].userLed);
  if (unindexed.length && !request.allowUnindexed) {
    throw new InputError(
      `no index led by userId on ${unindexed.join(', ')} in ${db}: every user would cost a scan of the collection; create {userId: 1, recordId: 1} (unique), or pass --allow-unindexed`,
    );
  }
  const notUnique = categories.filter((c) => !indexing[c].uniqueRecordKey);
  return notUnique.length
    ? [
        `no unique index on (userId, recordId) in ${notUnique.join(', ')} of ${db}: a record the application creates while the restore inserts the same recordId can be stored twice (see README, "The insert race")`,
      ]
    : [];
}

/** What the audit log keeps of a start: settings and counts, not the list of users. */
function startArgs({ userIds, ...rest }: StartRequest): Record<string, unknown> {
  return { ...rest, ...(userIds ? { users: userIds.length } : {}) };
}

/**
 * The operator's commands, one layer under both the CLI and the HTTP API, each written to
 * the audit log with who asked, what, the arguments and the outcome: `refused` for bad input
 * (InputError), `failed` for anything else, which is then thrown on.
 */
export function operatorCommands(deps: OperationDeps, actor: Actor) {
  const { client, env, c } = deps;
  async function audited<T>(action: string, campaignId: string | null, args: Record<string, unknown>, run: () => Promise<T>, idOf?: (result: T) => string): Promise<T> {
    const entry = { at: new Date(), actor: actor.name, via: actor.via, action, args };
    try {
      const result = await run();
      await writeAudit(c, { ...entry, campaignId: idOf ? idOf(result) : campaignId, outcome: 'ok', message: null });
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await writeAudit(c, { ...entry, campaignId, outcome: err instanceof InputError ? 'refused' : 'failed', message });
      throw err;
    }
  }

  return {
    /** Starts a campaign; answers its id and any warnings: the live store's indexes, no worker to run it. */
    start: (request: StartRequest): Promise<{ campaignId: string; warnings: string[] }> =>
      audited(
        request.dryRun ? 'dry-run' : 'start',
        null,
        startArgs(request),
        async () => {
          // Bad input first: the snapshot and its files, then what the live store lacks.
          await checkSnapshot(resolve(request.snapshotDir), inWaveOrder(request.categories ?? [...CATEGORIES]));
          const warnings = await checkLiveIndexes(deps, request);
          if (!request.skipWorkerCheck && !(await workerPolls(client, env.TEMPORAL_NAMESPACE, env.RESTORE_TASK_QUEUE))) {
            warnings.push(
              `no worker polls task queue ${env.RESTORE_TASK_QUEUE}: the campaign waits, doing nothing, until one runs (restorectl worker, with the same RESTORE_TASK_QUEUE)`,
            );
          }
          return { campaignId: await startCampaign(client, env, request), warnings };
        },
        (r) => r.campaignId,
      ),
    pause: (campaignId: string) => audited('pause', campaignId, {}, () => pauseCampaign(client, campaignId)),
    resume: (campaignId: string) => audited('resume', campaignId, {}, () => resumeCampaign(client, campaignId)),
    cancel: (campaignId: string) => audited('cancel', campaignId, {}, () => cancelCampaign(client, campaignId)),
    setPace: (campaignId: string, change: PaceChange): Promise<CampaignPace> => audited('set-pace', campaignId, { ...change }, () => setCampaignPace(client, campaignId, change)),
    /** Starts a replay; `result` waits for its report. */
    replay: (options: ReplayOptions) => {
      const { campaignId, userIds, ...rest } = options;
      return audited('replay', campaignId, { ...rest, ...(userIds ? { users: userIds } : {}) }, () => startReplay(client, env, c, options));
    },
    /** Starts an undo (or, dry, its count); `result` waits for its report. */
    undo: (options: UndoOptions) => {
      const { campaignId, userIds, ...rest } = options;
      return audited(options.dryRun ? 'undo-dry-run' : 'undo', campaignId, { ...rest, ...(userIds ? { users: userIds } : {}) }, () => startUndo(client, env, c, options));
    },
  };
}

export type OperatorCommands = ReturnType<typeof operatorCommands>;
