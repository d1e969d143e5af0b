import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import type { Category } from '../../domain/categories';
import { campaignFailures } from '../../operations/queries';
import { withControl } from '../../client/control';
import { printResult } from '../output';
import { campaignIdArg, categoryArg } from '../parse';
import { renderFailures } from '../render';

/** `failures ID [--category C]`: what went wrong in a campaign, by cause, for engineers. */
export function registerFailuresCommand(program: Command): void {
  program
    .command('failures')
    .description('failed user-categories by error class and quarantined records by reason, with counts and example user ids')
    .argument('<id>', 'campaign id', campaignIdArg)
    .option('--category <c>', 'only this category', categoryArg)
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { category?: Category; json?: boolean }) => {
      const report = await withControl(loadEnv(), (c) => campaignFailures(c, id, opts.category));
      printResult(opts, report, renderFailures);
    });
}
