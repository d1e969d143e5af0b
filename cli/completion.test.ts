import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from './cli';
import { completionScript, completionTable } from './completion';

/** What bash offers after `words`, the last one being completed, with the script loaded. */
function bashOffers(script: string, words: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'completion-')), 'restorectl.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const run = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _restorectl; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('tabulates every command with its subcommands or its long options', async () => {
    const table = completionTable(await buildProgram());
    expect(table.get('restorectl')).toEqual(expect.arrayContaining(['stack', 'campaign', 'snapshot', 'version', 'completion']));
    expect(table.get('restorectl campaign')).toEqual(expect.arrayContaining(['start', 'status', 'cancel']));
    expect(table.get('restorectl campaign cancel')).toEqual(expect.arrayContaining(['--yes', '--json']));
    expect(table.get('restorectl snapshot import')).toEqual(expect.arrayContaining(['--from', '--map', '--workers']));
  });

  it('completes in bash: commands, subcommands, then options, past option values', async () => {
    const script = completionScript('bash', completionTable(await buildProgram()));
    expect(bashOffers(script, ['restorectl', 'camp'])).toEqual(['campaign']);
    expect(bashOffers(script, ['restorectl', 'campaign', 'st'])).toEqual(['start', 'status']);
    expect(bashOffers(script, ['restorectl', 'campaign', 'start', '--snapshot', '/snap', '--ca'])).toEqual(['--categories', '--canary']);
    expect(bashOffers(script, ['restorectl', 'nosuch', ''])).toEqual(expect.arrayContaining(['stack', 'campaign']));
  });

  it('writes every command path into the zsh and fish scripts', async () => {
    const table = completionTable(await buildProgram());
    for (const shell of ['zsh', 'fish'] as const) {
      const script = completionScript(shell, table);
      for (const [path, words] of table) {
        expect(script).toContain(`'${path}'`);
        // zsh holds a command's words as one string, fish each as its own.
        expect(script).toContain(shell === 'zsh' ? `'${words.join(' ')}'` : words.map((w) => `'${w}'`).join(' '));
      }
    }
  });
});
