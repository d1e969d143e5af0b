import type { PagedUser } from './user-pages';
import type { Category } from '../domain/categories';
import { bulkWriteInChunks } from './bulk';
import type { ControlCollections, SelectionChunkDoc } from './control-collections';

/**
 * A selection is a list of users to restore in a category, held in the control database
 * in chunks of one batch each: a replay's user-categories, or the users a campaign was
 * scoped to. Workflows carry only its id and chunk counts, so its size never weighs on
 * their histories; staging and batches read it by `_id`, the one lookup every store indexes.
 */

const chunkId = (selectionId: string, category: Category, chunk: number) => `${selectionId}|${category}|${chunk}`;

/** Writes a category's users as chunks of `chunkUsers`; returns the number of chunks. Keyed, so writing again is harmless. */
export async function writeSelection(c: ControlCollections, selectionId: string, category: Category, users: PagedUser[], chunkUsers: number): Promise<number> {
  const docs: SelectionChunkDoc[] = [];
  for (let i = 0; i < users.length; i += chunkUsers) {
    const chunk = docs.length;
    docs.push({ _id: chunkId(selectionId, category, chunk), selectionId, category, chunk, users: users.slice(i, i + chunkUsers) });
  }
  await bulkWriteInChunks(c.selections, docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })));
  return docs.length;
}

/** The users of one chunk; none past the last. */
export async function readSelectionChunk(c: ControlCollections, selectionId: string, category: Category, chunk: number): Promise<PagedUser[]> {
  return (await c.selections.findOne({ _id: chunkId(selectionId, category, chunk) }))?.users ?? [];
}

/** Every user of a category's selection, chunk by chunk. */
export async function readSelection(c: ControlCollections, selectionId: string, category: Category): Promise<PagedUser[]> {
  const users: PagedUser[] = [];
  for (let chunk = 0; ; chunk++) {
    const part = await readSelectionChunk(c, selectionId, category, chunk);
    if (part.length === 0) return users;
    users.push(...part);
  }
}
