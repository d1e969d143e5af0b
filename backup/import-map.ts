import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CATEGORIES } from '../domain/categories';
import { InputError } from '../domain/errors';
import { describeIssue } from '../domain/record-schemas';

/** Where a value comes from: a dotted field path into the source document, or a fixed value. */
const FieldSource = z.union([z.string().min(1, 'must name a field path').max(500), z.object({ const: z.json() }).strict()]);
export type FieldSource = z.infer<typeof FieldSource>;

const CategoryMap = z
  .object({
    collection: z.string().min(1).max(255),
    userId: FieldSource,
    recordId: FieldSource,
    updatedAt: FieldSource,
    data: z.record(z.string().min(1), FieldSource),
    blob: z
      .object({ gridfsBucket: z.string().min(1), fileId: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type CategoryMap = z.infer<typeof CategoryMap>;

const Category = z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` });

/** The map of `snapshot import` (docs/design.md §3b): where each category lives in the backup, and how its documents become records. */
export const ImportMap = z
  .object({
    format: z.literal('restorectl-import-map/v1', { message: 'must be "restorectl-import-map/v1"' }),
    users: z.union([
      z.object({ from: z.literal('records') }).strict(),
      z.object({ collection: z.string().min(1).max(255), userId: FieldSource, expected: z.partialRecord(Category, z.string().min(1)).optional() }).strict(),
    ]),
    categories: z.partialRecord(Category, CategoryMap).refine((m) => Object.keys(m).length > 0, 'must map at least one category'),
  })
  .strict();
export type ImportMap = z.infer<typeof ImportMap>;

/** Reads and checks a map file; an error is one line naming the file and the JSON path (InputError, exit 2). */
export async function readImportMap(path: string): Promise<ImportMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the map ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`the map ${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = ImportMap.safeParse(json);
  if (!parsed.success) throw new InputError(`the map ${path}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}
