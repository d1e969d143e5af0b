import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { withControl } from '../../client/control';
import { printResult } from '../output';
import { campaignIdArg, userIdArg } from '../parse';
import { summarizeUserStatus, userStatus } from '../../operations/queries';

/** `user status`: reads the control store only. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description("one user's restore, for support staff");

  user
    .command('status')
    .description("where this user's data is, per category, in plain words")
    .argument('<userId>', 'the user support asks about', userIdArg)
    .option('--campaign <id>', 'only this campaign', campaignIdArg)
    .option('--json', 'machine-readable output')
    .action(async (userId: string, opts) => {
      const status = await withControl(loadEnv(), (c) => userStatus(c, userId, opts.campaign));
      printResult(opts, status, (s) =>
        s.campaigns.length === 0
          ? `no restore campaign has data for user ${s.userId}`
          : summarizeUserStatus(s)
              .campaigns.map((camp) => [`user ${s.userId}, campaign ${camp.campaignId}:`, ...camp.categories.map((c) => `  ${c.category.padEnd(9)} ${c.words}`)].join('\n'))
              .join('\n\n'),
      );
    });
}
