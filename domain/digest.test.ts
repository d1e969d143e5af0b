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
