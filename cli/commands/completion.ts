import type { Command } from 'commander';
import { z } from 'zod';
import { completionScript, completionTable, SHELLS } from '../completion';
import { parseWith } from '../parse';

const shellArg = parseWith(z.enum(SHELLS), `must be one of ${SHELLS.join(', ')}`);

/** `completion bash|zsh|fish`: prints the shell's completion script for every command. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish) for every command and option')
    .argument('<shell>', SHELLS.join(', '), shellArg)
    .action(async (shell: (typeof SHELLS)[number]) => {
      // The whole tree, whatever this run declared: the script completes every command.
      const { buildProgram } = await import('../cli');
      process.stdout.write(completionScript(shell, completionTable(await buildProgram())));
    });
}
