import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Env } from '../config/env';
import { ConfigError } from '../domain/errors';

/** `support` reads; `operator` also starts, pauses, resumes, cancels, paces and replays (docs/design.md §6). */
export const ROLES = ['support', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Who a request comes from: the token's name (what the audit log records) and its role. */
export interface Caller {
  name: string;
  role: Role;
}

const Entry = z.tuple([
  z.string().regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, 'a token is 16–256 characters of [A-Za-z0-9._~+/=-]'),
  z.enum(ROLES, { error: `the role is one of ${ROLES.join(', ')}` }),
  z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a name is 1–64 characters of [A-Za-z0-9._@-]')
    .optional(),
]);

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The API's tokens, held as digests. A lookup compares the presented token's digest with
 * every known one in constant time, so neither the match nor its place shows in the
 * timing. Tokens are never logged: a token without a name is named by its role and the
 * first characters of its digest.
 */
export class TokenBook {
  private constructor(private readonly entries: { digest: Buffer; caller: Caller }[]) {}

  /** Parses `token:role[:name]` entries, separated by commas or new lines (`#` starts a comment line). */
  static parse(text: string, source: string): TokenBook {
    const entries = text
      .split(/[,\n]/)
      .map((e) => e.trim())
      .filter((e) => e !== '' && !e.startsWith('#'))
      .map((e, i) => {
        const parsed = Entry.safeParse(e.split(':'));
        if (!parsed.success) throw new ConfigError(`${source}: entry ${i + 1} is not token:role[:name]: ${parsed.error.issues[0].message}`);
        const [token, role, name] = parsed.data;
        return { digest: digest(token), caller: { role, name: name ?? `${role}-${digest(token).toString('hex').slice(0, 8)}` } };
      });
    return new TokenBook(entries);
  }

  /** The tokens of RESTORE_API_TOKENS, else of the file RESTORE_API_TOKENS_FILE; none when neither is set. */
  static async fromEnv(env: Env): Promise<TokenBook> {
    if (env.RESTORE_API_TOKENS !== undefined) return TokenBook.parse(env.RESTORE_API_TOKENS, 'RESTORE_API_TOKENS');
    if (env.RESTORE_API_TOKENS_FILE === undefined) return new TokenBook([]);
    let text: string;
    try {
      text = await readFile(env.RESTORE_API_TOKENS_FILE, 'utf8');
    } catch (err) {
      throw new ConfigError(`RESTORE_API_TOKENS_FILE: cannot read ${env.RESTORE_API_TOKENS_FILE} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return TokenBook.parse(text, 'RESTORE_API_TOKENS_FILE');
  }

  get size(): number {
    return this.entries.length;
  }

  /** The caller a presented token stands for, or null. */
  lookup(token: string): Caller | null {
    const presented = digest(token);
    let found: Caller | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.caller;
    }
    return found;
  }
}
