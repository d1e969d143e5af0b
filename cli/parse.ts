import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { CATEGORIES } from '../domain/categories';
import { Id } from '../domain/record-schemas';

/** Commander argument parsers built on zod, so a bad flag value is a one-line usage error (exit 2). */
export function parseWith<T>(schema: z.ZodType<T>, expectation: string) {
  return (value: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(expectation);
    return parsed.data;
  };
}

export const portArg = parseWith(z.coerce.number().int().min(1).max(65535), 'must be a port number 1–65535');
export const positiveIntArg = parseWith(z.coerce.number().int().min(1), 'must be a whole number of at least 1');

/** A whole number from `min` to `max`; the bound keeps a value in range of what the system can carry. */
export function boundedIntArg(min: number, max: number) {
  return parseWith(z.coerce.number().int().min(min).max(max), `must be a whole number from ${min} to ${max.toLocaleString('en-US')}`);
}
export const rateArg = parseWith(z.coerce.number().min(0).max(1), 'must be a number from 0 to 1');
export const campaignIdArg = parseWith(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), 'must be a campaign id such as c-20261125-131500-a1b2c3');
export const userIdArg = parseWith(Id, 'must be 1–128 characters of [A-Za-z0-9._@+-]');
export const categoryArg = parseWith(z.enum(CATEGORIES), `must be one of ${CATEGORIES.join(', ')}`);
