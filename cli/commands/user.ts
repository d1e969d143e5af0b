import type { Command } from 'commander';
import { loadEnv } from '../../config/env';
import { withControl } from '../../client/control';
import { printResult } from '../output';
import { campaignIdArg, userIdArg } from '../parse';
import type { Client } from '@temporalio/client';
import { connectTemporal } from '../../client/temporal';
import { estimatedUserStatus, summarizeUserStatus } from '../../operations/queries';

/**
 * `user status`: the control store's statuses, with, for a running campaign, when each
 * category not back yet should be, from its progress in Temporal; without Temporal, the statuses alone.
 */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description("one user's restore, for support staff");

  user
    .command('status')
    .description("where this user's data is, per category, in plain words")
    .argument('<userId>', 'the user support asks about', userIdArg)
    .option('--campaign <id>', 'only this campaign', campaignIdArg)
    .option('--json', 'machine-readable output')
    .action(async (userId: string, opts) => {
      const env = loadEnv();
      let client: Client | null = null;
      // Temporal is asked only about a campaign of the user that runs; support reads the statuses without it.
      const connect = async () => (client = await connectTemporal(env).catch(() => null));
      const estimated = await withControl(env, (c) => estimatedUserStatus(c, connect, userId, opts.campaign)).finally(() => (client as Client | null)?.connection.close());
      printResult(opts, estimated.status, (s) =>
        s.campaigns.length === 0
          ? `no restore campaign has data for user ${s.userId}`
          : summarizeUserStatus(estimated)
              .campaigns.map((camp) => [`user ${s.userId}, campaign ${camp.campaignId}:`, ...camp.categories.map((c) => `  ${c.category.padEnd(9)} ${c.words}`)].join('\n'))
              .join('\n\n'),
      );
    });
}
