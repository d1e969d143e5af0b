import type { AnyBulkWriteOperation } from 'mongodb';
import type { Category } from '../../domain/categories';
import { bulkWriteInChunks, INSERT_BATCH, writeIdempotent } from '../mongo/bulk';
import { type ControlCollections, controlIds, type EndState, type StatusError, type UserStatusDoc } from './control-collections';
import type { Counts } from './campaign-report';

export interface UserOutcome extends Counts {
  userId: string;
  /** Set when some of the user's records could not be restored (the live store refused them): the user is then failed. */
  error?: StatusError | null;
}

/** How a user's category ended, with what its entry records besides: the attempts it took (1 unless said), and on the first wave's, `expectedOf`. */
export interface EndedUser extends UserOutcome {
  attempts?: number;
  expectedOf?: UserStatusDoc['expectedOf'];
}

/** The state a finished category lands in (docs/design.md §5). */
export function finalState(outcome: Pick<UserOutcome, 'quarantined' | 'missing' | 'error'>): EndState {
  if (outcome.error) return 'failed';
  return outcome.quarantined > 0 || outcome.missing > 0 ? 'partial' : 'restored';
}

/** Counts a status document starts with; later writes `$set` over them. */
function fresh(campaignId: string, category: Category, userId: string, expected: number) {
  return { campaignId, userId, category, expected, received: 0, valid: 0, quarantined: 0, missing: expected, restored: 0, keptLive: 0, duplicates: 0 };
}

/**
 * Status writes for one (campaign, category): every one keyed by `_id`, so repeating any is
 * harmless, and none removes a status that exists: the status store is what support reads,
 * and a reader at any moment finds each user's entry, as it was or as it is now. With
 * `pageOf` (the page key of a user, store/control/user-pages.ts), the documents it creates are
 * tagged with their user's page, and a batch whose users are exactly whole pages marks them
 * restoring by one update of each page.
 */
export function userStatusWriter(c: ControlCollections, campaignId: string, category: Category, pageOf: (userId: string) => string | undefined = () => undefined) {
  const id = (userId: string) => controlIds.status(campaignId, category, userId);
  const write = (ops: AnyBulkWriteOperation<UserStatusDoc>[]) => bulkWriteInChunks(c.status, ops);
  const tagOf = (userId: string) => {
    const page = pageOf(userId);
    return page === undefined ? {} : { page };
  };

  /**
   * The pages of `userIds` when each page's tagged statuses are exactly its users among
   * them: one update per page then serves them all, where FerretDB spends a statement of
   * milliseconds on each per-user update. Undefined for any other set (a replay's, the rest
   * of a canary's page, statuses not written yet).
   */
  async function wholePages(userIds: string[]): Promise<string[] | undefined> {
    const byPage = new Map<string, Set<string>>();
    for (const userId of userIds) {
      const page = pageOf(userId);
      if (page === undefined) return undefined;
      byPage.set(page, (byPage.get(page) ?? new Set()).add(id(userId)));
    }
    for (const [page, ids] of byPage) {
      const tagged = (await c.status.find({ page }, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id);
      if (tagged.length !== ids.size || !tagged.every((_id) => ids.has(_id))) return undefined;
    }
    return byPage.size ? [...byPage.keys()] : undefined;
  }

  return {
    /**
     * Creates `pending` entries where none exist yet. Plain inserts, whose taken keys are
     * entries that exist: one command for hundreds, where upserts cost a statement each.
     */
    async initPending(users: { userId: string; expected: number }[], now: Date) {
      await writeIdempotent(
        c.status,
        users.map(({ userId, expected }) => ({
          insertOne: {
            document: { _id: id(userId), ...fresh(campaignId, category, userId, expected), state: 'pending', attempts: 0, error: null, updatedAt: now, ...tagOf(userId) },
          },
        })),
        INSERT_BATCH,
      );
    },

    /**
     * Marks an attempt on these users as under way; `attempts` becomes the attempt number
     * Temporal gave it, so it counts attempts that failed before reaching the store too,
     * after those of earlier runs (`attemptsBefore`, a replay's).
     * With `creating` (the batch that creates its users' entries), entries not there yet
     * are inserted, hundreds to a command, and only those that exist are updated, at a
     * statement each; otherwise all are updated (upserted), a page by one update where they are one.
     */
    async markRestoring(users: { userId: string; expected: number; attemptsBefore?: number }[], attempt: number, now: Date, creating: boolean) {
      const pages = !creating && users.every((u) => !u.attemptsBefore) ? await wholePages(users.map((u) => u.userId)) : undefined;
      if (pages !== undefined) {
        for (const page of pages) await c.status.updateMany({ page }, { $set: { state: 'restoring', updatedAt: now }, $max: { attempts: attempt } });
        return;
      }
      const taken = creating
        ? (
            await writeIdempotent(
              c.status,
              users.map(({ userId, expected }) => ({
                insertOne: {
                  document: {
                    _id: id(userId),
                    ...fresh(campaignId, category, userId, expected),
                    state: 'restoring',
                    attempts: attempt,
                    error: null,
                    updatedAt: now,
                    ...tagOf(userId),
                  },
                },
              })),
              INSERT_BATCH,
            )
          ).taken.map((i) => users[i])
        : users;
      await write(
        taken.map(({ userId, expected, attemptsBefore }) => ({
          updateOne: {
            filter: { _id: id(userId) },
            update: {
              $set: { state: 'restoring', updatedAt: now },
              $max: { attempts: (attemptsBefore ?? 0) + attempt },
              $setOnInsert: { ...fresh(campaignId, category, userId, expected), error: null, ...tagOf(userId) },
            },
            upsert: true,
          },
        })),
      );
    },

    /**
     * Records how each user's category ended. An entry not there yet (a batch's first
     * attempt marks nothing before its writes) is inserted, hundreds to a command, with
     * `attempts` the attempt that ended it and, from the first wave, what the user expects
     * of the later categories (`expectedOf`); one that is there (a retried attempt marked
     * it, a replay) is updated, by one keyed update each: FerretDB spends a statement of
     * milliseconds on each update, and a fraction of one on each insert.
     */
    async markDone(outcomes: EndedUser[], now: Date) {
      const ended = ({ userId, error = null, attempts: _attempts, expectedOf, ...counts }: EndedUser) => ({
        campaignId,
        userId,
        category,
        ...counts,
        state: finalState({ ...counts, error }),
        error,
        updatedAt: now,
        ...(expectedOf ? { expectedOf } : {}),
      });
      const attemptsOf = (o: EndedUser) => o.attempts ?? 1;
      const { taken } = await writeIdempotent(
        c.status,
        outcomes.map((o) => ({ insertOne: { document: { _id: id(o.userId), ...ended(o), attempts: attemptsOf(o), ...tagOf(o.userId) } } })),
        INSERT_BATCH,
      );
      await write(
        taken.map((i) => ({ updateOne: { filter: { _id: id(outcomes[i].userId) }, update: { $set: ended(outcomes[i]), $max: { attempts: attemptsOf(outcomes[i]) } } } })),
      );
    },

    /**
     * Records that retries ran out for these users, with what the snapshot holds for each;
     * what was restored stays as the last attempt left it. At least one attempt was made:
     * a retried one marked its number (markRestoring), a first one left no mark.
     */
    markFailed(users: ({ userId: string } & Partial<Pick<Counts, 'expected' | 'received' | 'valid' | 'quarantined' | 'missing'>>)[], error: StatusError, now: Date) {
      return write(
        users.map(({ userId, ...received }) => {
          // A field may not be both set and set on insert: the fresh counts fill only what is not known.
          const onInsert: Record<string, unknown> = fresh(campaignId, category, userId, received.expected ?? 0);
          for (const known of Object.keys(received)) delete onInsert[known];
          return {
            updateOne: {
              filter: { _id: id(userId) },
              update: { $set: { state: 'failed', error, updatedAt: now, ...received }, $max: { attempts: 1 }, $setOnInsert: onInsert },
              upsert: true,
            },
          };
        }),
      );
    },
  };
}
