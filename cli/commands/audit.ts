import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { listAudit } from '../../operations/queries';
import { withControl } from '../../client/control';
import { printResult, table } from '../output';
import { campaignIdArg } from '../parse';

/** `audit [--campaign ID]`: operator actions from the CLI and the API, newest first. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('operator actions (start, pause, resume, cancel, pace, replay) from the CLI and the API: who, what, when, with what, and the outcome; newest first')
    .option('--campaign <id>', 'only this campaign', campaignIdArg)
    .option('--json', 'machine-readable output')
    .action(async (opts: { campaign?: string; json?: boolean }) => {
      const entries = await withControl(loadEnv(), (c) => listAudit(c, opts.campaign));
      printResult(opts, entries, (list) =>
        list.length === 0
          ? 'no operator action recorded'
          : table([
              ['WHEN', 'WHO', 'VIA', 'ACTION', 'CAMPAIGN', 'OUTCOME', 'ARGUMENTS'],
              ...list.map((e) => [e.at.toISOString(), e.actor, e.via, e.action, e.campaignId ?? '-', e.message ? `${e.outcome}: ${e.message}` : e.outcome, JSON.stringify(e.args)]),
            ]),
      );
    });
}
