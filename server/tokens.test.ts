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
