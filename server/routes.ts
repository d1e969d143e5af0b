import { z } from 'zod';
import type { SnapshotRoots } from './snapshot-roots';
import { MAX_BATCH_SIZE } from '../client/campaigns';
import { CATEGORIES, CONFLICT_POLICIES } from '../domain/categories';
import { Id } from '../domain/record-schemas';
import type { OperationDeps, OperatorCommands } from '../operations/commands';
import { campaignFailures, campaignStatus, listAudit, listCampaigns, listEvents, userStatus, userSummary } from '../operations/queries';
import { MAX_EVENTS_PAGE } from '../store/control/outbox';
import { concurrencySchema, MAX_CONCURRENCY, recordsPerSecondSchema } from '../workflows/pace';
import type { Caller, Role } from './tokens';

const CampaignId = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a campaign id such as c-20261125-131500-a1b2c3');
const Category = z.enum(CATEGORIES);
const CampaignParams = z.object({ id: CampaignId }).strict();
const UserParams = z.object({ userId: Id }).strict();
const NoBody = z.undefined().or(z.object({}).strict());

const StartBody = z
  .object({
    snapshot: z.string().min(1).describe('the snapshot directory, on the server'),
    categories: z.array(Category).min(1).optional(),
    users: z.array(Id).min(1).max(1_000_000).optional().describe('restore only these users'),
    policy: z.enum(CONFLICT_POLICIES).optional(),
    dedupe: z.boolean().optional(),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).optional(),
    concurrency: concurrencySchema.optional(),
    maxRecordsPerSecond: recordsPerSecondSchema.optional(),
    canary: z.number().int().min(1).optional(),
    maxQuarantineRate: z.number().min(0).max(1).optional(),
    dryRun: z.boolean().optional(),
    notifyUrl: z.string().url().optional().describe("POST each of the campaign's events here, signed with the server's RESTORE_WEBHOOK_SECRET"),
    allowUnindexed: z.boolean().optional(),
  })
  .strict();

const PaceBody = z
  .object({ concurrency: z.number().optional(), maxRecordsPerSecond: z.number().nullable().optional() })
  .strict()
  .describe("the campaign's own validator judges the values and says why it refuses a change");

const ReplayBody = z
  .object({
    users: z.array(Id).min(1).max(10_000).optional(),
    categories: z.array(Category).min(1).optional(),
    allFailed: z.boolean().optional(),
    unfinished: z.boolean().optional().describe('every user-category the campaign did not finish: pending, restoring or failed'),
    snapshot: z.string().min(1).optional().describe("a repaired copy of the campaign's snapshot, on the server"),
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
  })
  .strict();

const UndoBody = z
  .object({
    users: z.array(Id).min(1).max(10_000).optional(),
    categories: z.array(Category).min(1).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

/** What a route's handler is given: its validated input, the caller, the shared queries' dependencies and the caller's audited commands. */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  deps: OperationDeps;
  commands: OperatorCommands;
  /** Where a snapshot a caller names must lie. */
  snapshotRoots: SnapshotRoots;
}

/** One route of the API: who may call it, what it takes (zod, also its OpenAPI schema), and what it does. */
export interface Route<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST';
  url: string;
  role: Role;
  summary: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The status of a success; 200 unless said. */
  status?: number;
  handle(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas while the table holds them all. */
function route<P, Q, B>(r: Route<P, Q, B>): Route {
  return r as unknown as Route;
}

/** The API (docs/design.md §6), every route behind a bearer token; `operator` routes act and are audited. */
export const ROUTES: Route[] = [
  route({
    method: 'GET',
    url: '/api/whoami',
    role: 'support',
    summary: "the caller's name and role",
    handle: async ({ caller }) => caller,
  }),
  route({
    method: 'GET',
    url: '/api/users/:userId/status',
    role: 'support',
    summary: "a user's status per campaign and category (the JSON of `restorectl user status`)",
    params: UserParams,
    handle: ({ params, deps }) => userStatus(deps.c, deps.client, params.userId),
  }),
  route({
    method: 'GET',
    url: '/api/users/:userId/summary',
    role: 'support',
    summary: "a user's status in the plain words support reads out, per campaign and category",
    params: UserParams,
    handle: ({ params, deps }) => userSummary(deps.c, deps.client, params.userId),
  }),
  route({
    method: 'GET',
    url: '/api/campaigns',
    role: 'support',
    summary: 'campaigns, newest first',
    handle: ({ deps }) => listCampaigns(deps.c),
  }),
  route({
    method: 'GET',
    url: '/api/campaigns/:id',
    role: 'support',
    summary: 'a campaign: its report, and while it runs, its progress with figures per wave',
    params: CampaignParams,
    handle: ({ params, deps }) => campaignStatus(deps.client, deps.c, params.id),
  }),
  route({
    method: 'GET',
    url: '/api/campaigns/:id/failures',
    role: 'support',
    summary: 'failed user-categories by error class and quarantined lines by reason',
    params: CampaignParams,
    query: z.object({ category: Category.optional() }).strict(),
    handle: ({ params, query, deps }) => campaignFailures(deps.c, params.id, query.category),
  }),
  route({
    method: 'GET',
    url: '/api/audit',
    role: 'support',
    summary: 'operator actions, newest first, of one campaign or of all',
    query: z.object({ campaign: CampaignId.optional() }).strict(),
    handle: ({ query, deps }) => listAudit(deps.c, query.campaign),
  }),
  route({
    method: 'GET',
    url: '/api/events',
    role: 'support',
    summary: "the outbox's events in the order recorded, a page after a cursor (`next` of the page before): what an application's notifier follows",
    query: z
      .object({
        after: z.string().min(1).max(2000).optional(),
        campaign: CampaignId.optional(),
        limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).optional(),
      })
      .strict(),
    handle: ({ query, deps }) => listEvents(deps.c, { after: query.after, campaignId: query.campaign, limit: query.limit }),
  }),
  route({
    method: 'POST',
    url: '/api/campaigns',
    role: 'operator',
    summary: 'start a campaign (or a dry run)',
    body: StartBody,
    status: 201,
    handle: async ({ body, commands, snapshotRoots }) => {
      const { snapshot, users, ...rest } = body;
      return commands.start({ ...rest, snapshotDir: await snapshotRoots.admit(snapshot), ...(users ? { userIds: [...new Set(users)] } : {}) });
    },
  }),
  ...(['pause', 'resume', 'cancel'] as const).map((action) =>
    route({
      method: 'POST',
      url: `/api/campaigns/:id/${action}`,
      role: 'operator',
      summary: `${action} a running campaign`,
      params: CampaignParams,
      body: NoBody,
      handle: async ({ params, commands }) => {
        await commands[action](params.id);
        return { campaignId: params.id, done: action };
      },
    }),
  ),
  route({
    method: 'POST',
    url: '/api/campaigns/:id/pace',
    role: 'operator',
    summary: "change a running campaign's concurrency and ceiling on records per second",
    params: CampaignParams,
    body: PaceBody,
    handle: async ({ params, body, commands }) => ({ campaignId: params.id, pace: await commands.setPace(params.id, body) }),
  }),
  route({
    method: 'POST',
    url: '/api/campaigns/:id/replay',
    role: 'operator',
    summary: 'replay user-categories of an ended campaign (the failed ones, or those of given users); answers once the replay has started',
    params: CampaignParams,
    body: ReplayBody,
    status: 202,
    handle: async ({ params, body, commands, snapshotRoots }) => {
      const { workflowId } = await commands.replay({
        campaignId: params.id,
        userIds: body.users,
        categories: body.categories,
        allFailed: body.allFailed,
        unfinished: body.unfinished,
        snapshotDir: body.snapshot === undefined ? undefined : await snapshotRoots.admit(body.snapshot),
        concurrency: body.concurrency,
      });
      return { campaignId: params.id, replayWorkflowId: workflowId };
    },
  }),
  route({
    method: 'POST',
    url: '/api/campaigns/:id/undo',
    role: 'operator',
    summary: 'take back what an ended campaign wrote and the users have not changed since (or, dryRun, count it); answers once the undo has started',
    params: CampaignParams,
    body: UndoBody,
    status: 202,
    handle: async ({ params, body, commands }) => {
      const { workflowId } = await commands.undo({ campaignId: params.id, userIds: body.users, categories: body.categories, dryRun: body.dryRun });
      return { campaignId: params.id, undoWorkflowId: workflowId };
    },
  }),
];
