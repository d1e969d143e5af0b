import type { PagedUser } from './user-pages';
import { bulkWriteInChunks } from '../mongo/bulk';
import type { ControlCollections, SelectionChunkDoc, SelectionPart } from './control-collections';

/**
 * A selection is a list of users held in the control database in chunks of one batch
 * each, in parts: a replay's users per category, or the users a campaign was scoped to
 * (`requested` as the operator gave them, `users` as found in the snapshot). Workflows carry only its id and chunk counts, so its size never weighs on
 * their histories; staging and batches read it by `_id`, the one lookup every store indexes.
 */

const chunkId = (selectionId: string, part: SelectionPart, chunk: number) => `${selectionId}|${part}|${chunk}`;

/** Writes a part's users as chunks of `chunkUsers`; returns the number of chunks. Keyed, so writing again is harmless. */
export async function writeSelection(c: ControlCollections, selectionId: string, part: SelectionPart, users: PagedUser[], chunkUsers: number): Promise<number> {
  const docs: SelectionChunkDoc[] = [];
  for (let i = 0; i < users.length; i += chunkUsers) {
    const chunk = docs.length;
    docs.push({ _id: chunkId(selectionId, part, chunk), selectionId, part, chunk, users: users.slice(i, i + chunkUsers) });
  }
  await bulkWriteInChunks(
    c.selections,
    docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
  );
  return docs.length;
}

/** The users of one chunk; none past the last. */
export async function readSelectionChunk(c: ControlCollections, selectionId: string, part: SelectionPart, chunk: number): Promise<PagedUser[]> {
  return (await c.selections.findOne({ _id: chunkId(selectionId, part, chunk) }))?.users ?? [];
}

/** Every user of a part from chunk `from` on, chunk by chunk. */
export async function readSelection(c: ControlCollections, selectionId: string, part: SelectionPart, from = 0): Promise<PagedUser[]> {
  const users: PagedUser[] = [];
  for (let chunk = from; ; chunk++) {
    const found = await readSelectionChunk(c, selectionId, part, chunk);
    if (found.length === 0) return users;
    users.push(...found);
  }
}
