/**
 * README's synopsis of the commands against the CLI itself (the built `restorectl`'s command
 * tree): every command is there, every flag it names exists, and every flag a command has is
 * named (`--json` and `--help` aside, which the README states once for all).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Each leaf command of the built CLI, by its path, with its long flags. */
function commandTree(): Record<string, string[]> {
  const script = `
    const { buildProgram } = require('./dist/cli/cli.js');
    const out = {};
    buildProgram().then((program) => {
      (function walk(command, path) {
        if (command.commands.length === 0) out[path.join(' ')] = command.options.map((o) => o.long).filter(Boolean);
        for (const sub of command.commands) walk(sub, [...path, sub.name()]);
      })(program, []);
      process.stdout.write(JSON.stringify(out));
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

/** README's synopsis: each `restorectl …` entry (with its continuation lines), as command paths and the flags it names. */
function synopsis(): { paths: string[]; flags: string[] }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /## Commands\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no Commands block');
  const entries: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('restorectl ')) entries.push(line);
    else if (line.trim()) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries.map((entry) => {
    const words = entry.split(/\s+/).slice(1);
    const names: string[] = [];
    for (const word of words) {
      if (!/^[a-z][a-z|-]*$/.test(word)) break;
      names.push(word);
    }
    // `stack up|down|status`: one entry for several commands.
    const paths = names.reduce<string[]>((acc, word) => acc.flatMap((p) => word.split('|').map((w) => (p ? `${p} ${w}` : w))), ['']);
    const flags = [...entry.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);
    return { paths, flags };
  });
}

describe("README's synopsis of the commands", () => {
  const tree = commandTree();
  const entries = synopsis();

  it('says which commands take --json, as the CLI has it', () => {
    const without = Object.keys(tree).filter((path) => path !== 'help' && !tree[path].includes('--json'));
    const said = /Every command but ([^.]*?) \(which log/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
    expect([...said.matchAll(/`([a-z ]+)`/g)].map((m) => m[1]).sort()).toEqual(without.sort());
  });

  it('names every command the CLI has, and no other', () => {
    expect(entries.flatMap((e) => e.paths).sort()).toEqual(
      Object.keys(tree)
        .filter((path) => path !== 'help')
        .sort(),
    );
  });

  it("names only flags each command has, and every flag it has but --json's and --help's", () => {
    const wrong: Record<string, { notInReadme: string[]; notInCli: string[] }> = {};
    for (const { paths, flags } of entries) {
      for (const path of paths) {
        const own = tree[path] ?? [];
        const notInReadme = own.filter((f) => f !== '--json' && f !== '--help' && !flags.includes(f));
        const notInCli = [...new Set(flags)].filter((f) => !own.includes(f));
        if (notInReadme.length || notInCli.length) wrong[path] = { notInReadme, notInCli };
      }
    }
    expect(wrong).toEqual({});
  });
});
