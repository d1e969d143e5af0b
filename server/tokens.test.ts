import crypto from 'node:crypto';
import { ConfigError } from '../domain/errors';
import { TokenBook } from './tokens';

describe('TokenBook', () => {
  const book = TokenBook.parse('support-token-0123456789:support:ana, operator-token-0123456789:operator\n# a comment\n', 'test');

  it('finds the caller of a known token, by name or by role and digest', () => {
    expect(book.size).toBe(2);
    expect(book.lookup('support-token-0123456789')).toEqual({ name: 'ana', role: 'support' });
    expect(book.lookup('operator-token-0123456789')).toEqual({ name: expect.stringMatching(/^operator-[0-9a-f]{8}$/), role: 'operator' });
  });

  it('knows no other token, nor a prefix or extension of a known one', () => {
    expect(book.lookup('')).toBeNull();
    expect(book.lookup('support-token-012345678')).toBeNull();
    expect(book.lookup('support-token-0123456789x')).toBeNull();
  });

  it.each([
    ['a short token', 'short:support', /16–256 characters/],
    ['an unknown role', 'operator-token-0123456789:admin', /role is one of support, operator/],
    ['a missing role', 'operator-token-0123456789', /not token:role/],
  ])('refuses %s, naming the entry and never the token', (_, text, message) => {
    expect(() => TokenBook.parse(text, 'RESTORE_API_TOKENS')).toThrow(ConfigError);
    expect(() => TokenBook.parse(text, 'RESTORE_API_TOKENS')).toThrow(message);
    try {
      TokenBook.parse(text, 'RESTORE_API_TOKENS');
    } catch (err) {
      expect((err as Error).message).not.toContain('0123456789');
    }
  });
});

describe('TokenBook.lookup timing', () => {
  afterEach(() => jest.restoreAllMocks());

  it('compares the presented token with every known one in constant time, whether it matches first, last or not at all', () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    const tokens = ['first-token-0123456789', 'second-token-0123456789', 'third-token-0123456789'];
    const book = TokenBook.parse(tokens.map((t, i) => `${t}:support:n${i}`).join(','), 'test');
    for (const [presented, name] of [
      [tokens[0], 'n0'],
      [tokens[2], 'n2'],
      ['unknown-token-0123456789', null],
    ] as const) {
      compare.mockClear();
      expect(book.lookup(presented)?.name ?? null).toBe(name);
      // Every entry compared, digest against digest of one length: no early exit, no string equality.
      expect(compare).toHaveBeenCalledTimes(tokens.length);
      for (const [a, b] of compare.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
    }
  });
});
