import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildServer } from '../../server/app';
import { SnapshotRoots } from '../../server/snapshot-roots';
import { TokenBook } from '../../server/tokens';
import { controlCollections } from '../../store/control/control-collections';
import type { Harness } from './campaign-runner';

export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
export const SUPPORT_TOKEN = 'support-token-for-tests-0123456789';
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface ApiResponse {
  statusCode: number;
  headers: Headers;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * `restorectl serve`'s app on the harness's stack, listening on a loopback port, with one
 * operator and one support token and its log lines kept for reading. `call` makes a real
 * HTTP request (fastify's inject needs an ES-module-only package that jest cannot load).
 */
export async function apiServer(h: Harness) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const tokens = TokenBook.parse(`${OPERATOR_TOKEN}:operator:olga,${SUPPORT_TOKEN}:support:sam`, 'test');
  const app = await buildServer({
    deps: { env: h.env, client: h.client, stores: h.stores, c: controlCollections(h.stores.control) },
    tokens,
    logger: pino({ level: 'info' }, sink),
    version: 'test',
    // The tests' snapshots are written under the system's temp folder (helpers/snapshot-builder.ts).
    snapshotRoots: await SnapshotRoots.of([tmpdir()], undefined),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  const call = async (request: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: object }): Promise<ApiResponse> => {
    const body = request.payload === undefined ? undefined : JSON.stringify(request.payload);
    const response = await fetch(`${baseUrl}${request.url}`, {
      method: request.method,
      headers: { ...request.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    const text = await response.text();
    return { statusCode: response.status, headers: response.headers, json: () => JSON.parse(text) };
  };
  return { app, call, baseUrl, logLines: lines };
}
