import type { Command } from 'commander';

/**
 * What to type, for each command by its path: the Examples section of its `--help`, where a
 * user in the middle of an incident looks first. cli/examples.test.ts keeps one list per
 * command, each example a command line that parses.
 */
export const EXAMPLES: Record<string, string[]> = {
  'stack up': ['restorectl stack up', 'restorectl stack up --data-dir /var/tmp/restorectl --mongo-port 27018'],
  'stack down': ['restorectl stack down'],
  'stack status': ['restorectl stack status --json'],
  worker: ['restorectl worker', 'RESTORE_TASK_QUEUE=incident-42 LOG_LEVEL=debug restorectl worker'],
  demo: ['restorectl demo', 'restorectl demo --users 5000 --categories contacts,photos', 'restorectl demo --from-backup'],
  'snapshot generate': ['restorectl snapshot generate /tmp/snap --users 1000 --corrupt-rate 0.02'],
  'snapshot verify': ['restorectl snapshot verify /snapshots/2009-10-02', 'restorectl snapshot verify /snapshots/2009-10-02 --json'],
  'snapshot import': [
    'restorectl snapshot import --from /backups/dump --map map.json /snapshots/2009-10-02',
    'restorectl snapshot import --from mongodb://recovery:27017/app --map map.json --taken-at 2009-10-01T00:00:00Z /snapshots/2009-10-02',
  ],
  'campaign start': [
    'restorectl campaign start --snapshot /snapshots/2009-10-02 --dry-run',
    'restorectl campaign start --snapshot /snapshots/2009-10-02 --canary 100 --max-quarantine-rate 0.05',
    'restorectl campaign start --snapshot /snapshots/2009-10-02 --users vips.txt --categories contacts,calendar --wait',
  ],
  'campaign status': ['restorectl campaign status c-20091002-120000-a1b2c3 --watch'],
  'campaign pause': ['restorectl campaign pause c-20091002-120000-a1b2c3'],
  'campaign resume': ['restorectl campaign resume c-20091002-120000-a1b2c3'],
  'campaign cancel': ['restorectl campaign cancel c-20091002-120000-a1b2c3', 'restorectl campaign cancel c-20091002-120000-a1b2c3 --yes'],
  'campaign set': [
    'restorectl campaign set c-20091002-120000-a1b2c3 --concurrency 2 --max-records-per-second 500',
    'restorectl campaign set c-20091002-120000-a1b2c3 --no-max-records-per-second',
  ],
  'campaign list': ['restorectl campaign list'],
  'user status': ['restorectl user status u-0012345', 'restorectl user status u-0012345 --campaign c-20091002-120000-a1b2c3 --json'],
  failures: ['restorectl failures c-20091002-120000-a1b2c3', 'restorectl failures c-20091002-120000-a1b2c3 --category photos'],
  undo: ['restorectl undo c-20091002-120000-a1b2c3 --dry-run', 'restorectl undo c-20091002-120000-a1b2c3 --user u-0012345 --category contacts'],
  events: ['restorectl events --campaign c-20091002-120000-a1b2c3', 'restorectl events --after eyJzIjoiMjAwOS0xMC0wMlQxMjowMDowMC4wMDBaIn0 --json'],
  replay: [
    'restorectl replay c-20091002-120000-a1b2c3 --all-failed',
    'restorectl replay c-20091002-120000-a1b2c3 --all-failed --snapshot /snapshots/2009-10-02-repaired',
    'restorectl replay c-20091002-120000-a1b2c3 --user u-0012345 --category contacts',
  ],
  audit: ['restorectl audit --campaign c-20091002-120000-a1b2c3'],
  serve: ['RESTORE_API_TOKENS_FILE=/etc/restorectl/tokens restorectl serve --port 8080 --snapshot-root /snapshots', 'restorectl serve --insecure-local'],
  version: ['restorectl version', 'restorectl version --json'],
  completion: [
    'restorectl completion bash > /etc/bash_completion.d/restorectl',
    'restorectl completion zsh > "${fpath[1]}/_restorectl"',
    'restorectl completion fish > ~/.config/fish/completions/restorectl.fish',
  ],
};

/** The path of a command below the program: `campaign start`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds its Examples section to the help of every command of `program` that runs something. */
export function addExamples(program: Command): void {
  for (const command of program.commands) {
    if (command.commands.length > 0) {
      addExamples(command);
      continue;
    }
    const examples = EXAMPLES[commandPath(command)];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  }
}
