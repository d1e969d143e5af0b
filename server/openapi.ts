import { z } from 'zod';
import type { Route } from './routes';

/** JSON Schema of a zod schema, as OpenAPI 3.1 takes it (its own dialect is JSON Schema 2020-12). */
function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

/** OpenAPI parameters from an object schema of path or query parameters. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = schemaOf(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s }));
}

/** The OpenAPI 3.1 document of the API, made from the same route table and zod schemas that serve and validate it. */
export function openApiDocument(routes: Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const ok = String(r.status ?? 200);
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      description: `role: ${r.role}${r.role === 'operator' ? ' (written to the audit log)' : ''}`,
      security: [{ bearer: [] }],
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')],
      ...(r.body && r.method === 'POST' ? { requestBody: { required: false, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
      responses: {
        [ok]: { description: 'done', content: { 'application/json': {} } },
        '400': { description: 'bad input: nothing was started or changed', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        '401': { description: 'no known bearer token' },
        '403': { description: 'the token’s role may not do this' },
        '404': { description: 'no such campaign' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'restorectl', version, description: 'Restore campaigns, user status and failures (docs/design.md §6).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } },
    },
    paths,
  };
}
