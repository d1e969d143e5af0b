import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotRoots } from './snapshot-roots';

describe('SnapshotRoots', () => {
  it('admits a snapshot inside a root, and none outside, through .. or a link', async () => {
    const base = await mkdtemp(join(tmpdir(), 'roots-'));
    const root = join(base, 'snapshots');
    await mkdir(join(root, 'incident-1'), { recursive: true });
    await mkdir(join(base, 'elsewhere'));
    await symlink(join(base, 'elsewhere'), join(root, 'a-link-out'));
    const roots = await SnapshotRoots.of([root], undefined);
    await expect(roots.admit(join(root, 'incident-1'))).resolves.toBe(join(root, 'incident-1'));
    await expect(roots.admit(join(root, 'not-yet-there'))).resolves.toBe(join(root, 'not-yet-there'));
    await expect(roots.admit(join(root, '..', 'elsewhere'))).rejects.toThrow(/outside the folders this server may read/);
    await expect(roots.admit(join(root, 'a-link-out'))).rejects.toThrow(/outside/);
    await expect(roots.admit(`${root}-sibling`)).rejects.toThrow(/outside/);
    await expect((await SnapshotRoots.of(undefined, `${join(base, 'elsewhere')}:${root}`)).admit(join(root, 'incident-1'))).resolves.toBeDefined();
  });

  it('without roots, admits nothing and says how to give one; a root that is not there is bad input', async () => {
    await expect((await SnapshotRoots.of(undefined, undefined)).admit('/tmp')).rejects.toThrow(/--snapshot-root DIR/);
    await expect(SnapshotRoots.of(['/no/such/folder'], undefined)).rejects.toThrow(/snapshot root \/no\/such\/folder is not a folder/);
  });
});
