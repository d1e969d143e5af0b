import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prebuiltWorkflowBundle } from './workflow-bundle';

describe('prebuiltWorkflowBundle', () => {
  async function dist(bundleAge: number | null, moduleAge: number) {
    const dir = await mkdtemp(join(tmpdir(), 'dist-'));
    await mkdir(join(dir, 'workflows'));
    const module = join(dir, 'workflows', 'campaign.js');
    await writeFile(module, '');
    const now = Date.now() / 1000;
    await utimes(module, now - moduleAge, now - moduleAge);
    if (bundleAge !== null) {
      await writeFile(join(dir, 'workflow-bundle.js'), '');
      await utimes(join(dir, 'workflow-bundle.js'), now - bundleAge, now - bundleAge);
    }
    return dir;
  }

  it('is the bundle when it is as new as every compiled module', async () => {
    const dir = await dist(10, 60);
    expect(await prebuiltWorkflowBundle(dir)).toEqual({ codePath: join(dir, 'workflow-bundle.js') });
  });

  it('is none when there is no bundle, or one older than a compiled module', async () => {
    expect(await prebuiltWorkflowBundle(await dist(null, 60))).toBeUndefined();
    expect(await prebuiltWorkflowBundle(await dist(60, 10))).toBeUndefined();
  });
});
