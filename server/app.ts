import { readFile } from 'node:fs/promises';
import type { SnapshotRoots } from './snapshot-roots';
import { join } from 'node:path';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError, NotFoundError } from '../domain/errors';
import { operatorCommands, type OperationDeps } from '../operations/commands';
import { projectRoot } from '../stack/layout';
import { openApiDocument } from './openapi';
import { type Route, ROUTES } from './routes';
import { type Caller, type Role, type TokenBook } from './tokens';

/** The pages: HTML, one stylesheet, one script, served as they are (no build step). */
const PAGES_DIR = join(projectRoot, 'server', 'pages');
/** Each page is its own main part set in the one layout (server/pages/layout.html). */
const PAGES = {
  support: "Where is this user's data?",
  campaigns: 'Restore campaigns',
} as const;
const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8' };

/** A page: the layout with its name, heading and main part; the current page marked in the navigation. */
async function pageHtml(page: keyof typeof PAGES): Promise<string> {
  const [layout, main] = await Promise.all([readFile(join(PAGES_DIR, 'layout.html'), 'utf8'), readFile(join(PAGES_DIR, `${page}.html`), 'utf8')]);
  return layout
    .replaceAll('{{page}}', page)
    .replace('{{heading}}', PAGES[page])
    .replace(`<a href="/${page}">`, `<a href="/${page}" aria-current="page">`)
    .replace('{{main}}', main.trimEnd());
}

/** Headers of every page and asset: no caching of what may change with a release, no framing, scripts from here only. */
const PAGE_HEADERS = { 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; frame-ancestors 'none'", 'x-content-type-options': 'nosniff' };

/** A caller is let through by a role that covers the route's: an operator may do what support may. */
const COVERS: Record<Role, Role[]> = { support: ['support'], operator: ['support', 'operator'] };

/** The one local caller of a server started with `--insecure-local`, bound to loopback. */
const LOCAL_CALLER: Caller = { name: 'local', role: 'operator' };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface ServerOptions {
  deps: OperationDeps;
  /** The API's tokens; null: no tokens, every caller is the local operator (`--insecure-local`). */
  tokens: TokenBook | null;
  logger: FastifyBaseLogger;
  version: string;
  /** The folders whose snapshots callers may name. */
  snapshotRoots: SnapshotRoots;
}

/** An error as the API answers it: its status and a one-line message. */
function answerFor(err: unknown): { status: number; error: string } {
  if (err instanceof NotFoundError) return { status: 404, error: err.message };
  if (err instanceof InputError) return { status: 400, error: err.message };
  const status = (err as { statusCode?: number }).statusCode;
  // Fastify's own refusals (a body that is not JSON, too large): the request's fault, said as such.
  if (status !== undefined && status >= 400 && status < 500) return { status, error: (err as Error).message };
  return { status: 500, error: 'internal error; the server log has the details' };
}

/** Parses a part of the request with its route's schema; a mismatch is bad input naming the part and the field. */
function parsed<T>(schema: z.ZodType<T> | undefined, value: unknown, part: string): T {
  if (!schema) return {} as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue.path.length ? `${part}.${issue.path.join('.')}` : part;
  throw new InputError(`${at}: ${issue.message}`);
}

/**
 * The HTTP API of docs/design.md §6 and the support and campaign pages, in one fastify instance.
 * Every /api route needs a bearer token whose role covers it (401 without a known one, 403
 * for a role that may not); inputs are checked with the route's zod schemas before anything
 * runs; errors answer as `{error}`. Request logs name the route pattern, never the path
 * filled in (a user id) nor any header.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { deps, tokens } = options;
  // Fastify's own request lines carry the URL filled in; the hook below logs the route pattern instead.
  const app = fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 32 * 1024 * 1024 });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime), caller: request.caller?.name },
      'request',
    );
  });
  app.setErrorHandler(async (err, request, reply) => {
    const { status, error } = answerFor(err);
    if (status === 500) request.log.error({ err, route: request.routeOptions.url }, 'request failed');
    return reply.code(status).send({ error });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'no such route' }));

  /** Who presents the request's bearer token, if anyone known. */
  const callerOf = (request: FastifyRequest): Caller | null => {
    if (!tokens) return LOCAL_CALLER;
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    return match ? tokens.lookup(match[1]) : null;
  };
  const authorize = (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(request);
    if (!caller) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a known bearer token is needed (Authorization: Bearer <token>)' });
    request.caller = caller;
    if (!COVERS[caller.role].includes(role)) return reply.code(403).send({ error: `the ${caller.role} role may not do this; it needs ${role}` });
  };

  for (const r of ROUTES as Route[]) {
    app.route({
      method: r.method,
      url: r.url,
      preHandler: authorize(r.role),
      handler: async (request, reply) => {
        const params = parsed(r.params, request.params, 'path');
        const query = parsed(r.query, request.query, 'query');
        const body = parsed(r.body, request.body, 'body');
        const caller = request.caller!;
        const result = await r.handle({
          params,
          query,
          body,
          caller,
          deps,
          snapshotRoots: options.snapshotRoots,
          commands: operatorCommands(deps, { name: caller.name, via: 'api' }),
        });
        return reply.code(r.status ?? 200).send(result);
      },
    });
  }
  const openapi = openApiDocument(ROUTES, options.version);
  app.get('/api/openapi.json', { preHandler: authorize('support') }, async () => openapi);

  for (const page of Object.keys(PAGES) as (keyof typeof PAGES)[]) {
    const html = await pageHtml(page);
    app.get(`/${page}`, async (_request, reply) => reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(html));
  }
  for (const [file, type] of Object.entries(ASSETS)) {
    const body = await readFile(join(PAGES_DIR, file));
    app.get(`/assets/${file}`, async (_request, reply) => reply.type(type).headers(PAGE_HEADERS).send(body));
  }
  app.get('/', async (_request, reply) => reply.redirect('/support'));
  return app;
}
