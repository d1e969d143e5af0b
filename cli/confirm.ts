import { createInterface } from 'node:readline/promises';
import { InputError } from '../domain/errors';

/**
 * Asks `question` on the terminal and answers true for yes. Where there is no terminal to
 * ask on (a script, a pipe), refuses with an InputError naming `flag`, so that nothing
 * irreversible happens unasked.
 */
export async function confirmed(question: string, flag: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new InputError(`this asks for confirmation and there is no terminal to ask on: give ${flag} to go ahead`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}
