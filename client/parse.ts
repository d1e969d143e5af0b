import { InvalidArgumentError } from 'commander';
import { z } from 'zod';

/** Commander argument parsers built on zod, so a bad flag value is a one-line usage error (exit 2). */
export function parseWith<T>(schema: z.ZodType<T>, what: string) {
  return (value: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`${what}: ${parsed.error.issues[0].message}`);
    return parsed.data;
  };
}

export const portArg = parseWith(z.coerce.number().int().min(1).max(65535), 'must be a port number 1–65535');
export const positiveIntArg = parseWith(z.coerce.number().int().min(1), 'must be a whole number of at least 1');
export const rateArg = parseWith(z.coerce.number().min(0).max(1), 'must be a number from 0 to 1');
