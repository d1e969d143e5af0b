import type { Command } from 'commander';
import { buildProgram } from './cli';
import { commandPath, EXAMPLES } from './examples';

/** Every command that runs something, by its path. */
function leaves(command: Command): Command[] {
  return command.commands.flatMap((c) => (c.commands.length > 0 ? leaves(c) : [c]));
}

describe('the examples of each --help', () => {
  it('are there for every command, and only for commands there are', async () => {
    const paths = leaves(await buildProgram()).map(commandPath);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...paths].sort());
  });

  it('run the command they are under, with flags it has', async () => {
    for (const command of leaves(await buildProgram())) {
      const path = commandPath(command);
      const flags = new Set(command.options.map((o) => o.long));
      for (const example of EXAMPLES[path]) {
        // Variables may come first, as a shell takes them.
        const words = example.split(' ').filter((w) => !/^[A-Z_]+=/.test(w));
        expect(words.slice(0, 1 + path.split(' ').length).join(' ')).toBe(`restorectl ${path}`);
        for (const flag of words.filter((w) => w.startsWith('--'))) expect([path, flags.has(flag.split('=')[0])]).toEqual([path, true]);
      }
    }
  });

  it('end the help of the command', async () => {
    const program = await buildProgram('campaign');
    const start = program.commands.find((c) => c.name() === 'campaign')!.commands.find((c) => c.name() === 'start')!;
    let help = '';
    start.configureOutput({ writeOut: (s) => (help += s) });
    start.outputHelp();
    expect(help.trimEnd().endsWith(`$ ${EXAMPLES['campaign start'].at(-1)}`)).toBe(true);
  });
});
