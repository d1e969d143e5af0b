import { realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../domain/errors';

/**
 * The folders whose snapshots the API may read (`serve --snapshot-root DIR`, or
 * RESTORE_SNAPSHOT_ROOTS): a caller names a snapshot by path, and the server must not read
 * any folder it can reach on a caller's word. None given: the API names no snapshot.
 */
export class SnapshotRoots {
  private constructor(private readonly roots: string[]) {}

  /** The roots of the flags given, else of the variable (paths joined by the platform's delimiter, `:` here). */
  static async of(flags: string[] | undefined, variable: string | undefined): Promise<SnapshotRoots> {
    const given = flags?.length ? flags : (variable ?? '').split(delimiter).filter(Boolean);
    const roots: string[] = [];
    for (const dir of given) {
      roots.push(
        await realpath(resolve(dir)).catch(() => {
          throw new InputError(`snapshot root ${dir} is not a folder this server can read`);
        }),
      );
    }
    return new SnapshotRoots(roots);
  }

  get size(): number {
    return this.roots.length;
  }

  /**
   * The snapshot directory `path` as the server will read it, when it lies inside a root
   * (links followed, so none leads out); else InputError (the API's 400).
   */
  async admit(path: string): Promise<string> {
    if (this.roots.length === 0) throw new InputError('this server reads no snapshot named by a caller: start serve with --snapshot-root DIR (or RESTORE_SNAPSHOT_ROOTS)');
    const real = await realpath(resolve(path)).catch(() => resolve(path));
    const inside = this.roots.some((root) => {
      const rel = relative(root, real);
      return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    });
    if (!inside) throw new InputError(`snapshot ${path} is outside the folders this server may read (its --snapshot-root)`);
    return real;
  }
}
