/**
 * The workflow boundary is enforced by lint (eslint.config.js): these probes show the
 * rule refuses what would break the sandbox and lets through what is allowed.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';

/** The lint messages of `source` as a module of `folder`. */
async function lintIn(folder: string, source: string): Promise<string[]> {
  // The config is handed over, not looked up: ESLint loads config files by a dynamic import that jest's VM lacks.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const eslint = new ESLint({ cwd: join(__dirname, '..'), overrideConfigFile: true, overrideConfig: require('../eslint.config.js') });
  const [result] = await eslint.lintText(source, { filePath: join(__dirname, '..', folder, 'probe.ts') });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const lintWorkflow = (source: string) => lintIn('workflows', source);

describe('the workflow boundary', () => {
  it('refuses Node modules, the MongoDB driver and code from layers that do I/O', async () => {
    for (const source of [
      "import { readFile } from 'node:fs/promises';\nexport const f = readFile;\n",
      "import { randomUUID } from 'crypto';\nexport const f = randomUUID;\n",
      "import { MongoClient } from 'mongodb';\nexport const f = MongoClient;\n",
      "import { findPerUser } from '../store/mongo/per-user';\nexport const f = findPerUser;\n",
      "import { readLines } from '../snapshot/line-reader';\nexport const f = readLines;\n",
      "import { restoreActivities } from '../activities/restore';\nexport const f = restoreActivities;\n",
    ]) {
      expect(await lintWorkflow(source)).toEqual([expect.stringContaining('@typescript-eslint/no-restricted-imports')]);
    }
  });

  it('allows types from those layers, and code from domain/ and the workflow SDK', async () => {
    const source = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { Activities } from '../activities';",
      "import type { CampaignReport } from '../store/control/campaign-report';",
      "import { CATEGORIES } from '../domain/categories';",
      'export const f = [proxyActivities, CATEGORIES];',
      'export type T = [Activities, CampaignReport];',
      '',
    ].join('\n');
    expect(await lintWorkflow(source)).toEqual([]);
  });

  it('lets the layers below share the contract with workflows, as types and nothing else', async () => {
    const typeOnly = "import type { CampaignSettings } from '../workflows/contracts';\nexport type T = CampaignSettings;\n";
    expect(await lintIn('activities', typeOnly)).toEqual([]);
    const code = "import { campaignWorkflow } from '../workflows/campaign';\nexport const f = campaignWorkflow;\n";
    expect(await lintIn('activities', code)).toEqual([expect.stringContaining('activities/ imports only from the layers below it')]);
    const valueImport = "import { CampaignSettings } from '../workflows/contracts';\nexport type T = CampaignSettings;\n";
    expect(await lintIn('activities', valueImport)).toContainEqual(expect.stringContaining('may import only types from workflows/contracts'));
  });
});
