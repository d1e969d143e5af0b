import canonicalize from 'canonicalize';
import { canonicalJson, jcsSha256, sha256Hex } from './digest';

describe('digests', () => {
  it('canonicalizes per RFC 8785: keys sorted, one spelling per number', () => {
    expect(canonicalJson({ b: 1e21, a: [1.0, 'é'] })).toBe('{"a":[1,"é"],"b":1e+21}');
    expect(jcsSha256({ b: 2, a: 1 })).toBe(sha256Hex('{"a":1,"b":2}'));
  });

  it('refuses a value with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(new TypeError('value has no JSON form'));
  });

  it('hashes strings as UTF-8 and bytes as they are', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
  });
});

/** A small seeded generator, so that a failing value can be made again. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Keys where JavaScript's order and RFC 8785's differ, or sorting by code point would. */
const KEYS = ['a', 'b', 'B', '', 'é', 'z', '10', '9', '0', '!', '__proto__', '\u{1F600}', '\uFFFF', 'aa', 'a b'];
const NUMBERS = [0, -0, 1, -1.5, 1e21, 1e-7, 5e-324, 2 ** 53, 123456789.125, 0.1];

/** A random JSON value, nested up to `depth`, with undefined where JSON has none. */
function randomValue(rnd: () => number, depth: number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const kind = depth === 0 ? Math.floor(rnd() * 5) : Math.floor(rnd() * 7);
  if (kind === 0) return null;
  if (kind === 1) return rnd() < 0.5;
  if (kind === 2) return pick(NUMBERS);
  if (kind === 3) return pick(['', 'x', 'é\n"\\', '\u2028', '\u{1F600}', 'line\ttab']);
  if (kind === 4) return undefined;
  if (kind === 5) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(rnd() * 5); i > 0; i--) {
    const key = pick(KEYS);
    if (key === '__proto__') Object.defineProperty(object, key, { value: randomValue(rnd, depth - 1), enumerable: true, configurable: true, writable: true });
    else object[key] = randomValue(rnd, depth - 1);
  }
  return object;
}

describe('canonicalJson against the canonicalize package', () => {
  it('writes the same text for 20,000 random values, keys in any order', () => {
    const rnd = seeded(17);
    for (let i = 0; i < 20_000; i++) {
      const value = { v: randomValue(rnd, 4) };
      expect(canonicalJson(value)).toBe(canonicalize(value));
    }
  });

  it('leaves the value it is given as it was', () => {
    const value = { b: [{ d: 1, c: 2 }], a: 1 };
    expect(canonicalJson(value)).toBe('{"a":1,"b":[{"c":2,"d":1}]}');
    expect(JSON.stringify(value)).toBe('{"b":[{"d":1,"c":2}],"a":1}');
  });

  it('writes what is not plain JSON as the package does, and refuses what the package refuses', () => {
    const date = new Date('2009-10-02T00:00:00Z');
    expect(canonicalJson({ at: date, n: 1 })).toBe('{"at":"2009-10-02T00:00:00.000Z","n":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Infinity])).toThrow('Infinity is not allowed');
  });
});
