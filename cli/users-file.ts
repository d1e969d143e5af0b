import { readFile } from 'node:fs/promises';
import { InputError } from '../domain/errors';
import { Id } from '../domain/record-schemas';
import { fileProblem } from '../snapshot/layout';

/**
 * The user ids of a `--users FILE`: one per line; blank lines and lines starting with `#`
 * are passed over, repeats count once. An unreadable file, a line that is no user id, or
 * a file naming nobody is an InputError (exit 2) naming the file and line.
 */
export async function readUsersFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`the users file ${path} ${fileProblem(err)}`);
  }
  const ids = new Set<string>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!Id.safeParse(line).success) throw new InputError(`${path}:${i + 1}: not a user id (1–128 characters of [A-Za-z0-9._@+-])`);
      ids.add(line);
    });
  if (ids.size === 0) throw new InputError(`${path} names no user`);
  return [...ids];
}
