import { RAW_LINE_LIMIT, storableRaw } from './quarantine';

describe('storableRaw', () => {
  it('keeps an ordinary line as text', () => {
    expect(storableRaw('{"a":"é😀"}')).toEqual({ raw: '{"a":"é😀"}', rawEncoding: 'text', rawTruncated: false });
  });

  it('keeps a line holding U+0000 or an unpaired surrogate as base64 of its UTF-8 bytes', () => {
    const line = '{"a":"x\u0000y"}';
    const kept = storableRaw(line);
    expect(kept.rawEncoding).toBe('base64');
    expect(Buffer.from(kept.raw, 'base64').toString('utf8')).toBe(line);
    expect(storableRaw('x\ud800').rawEncoding).toBe('base64');
  });

  it('cuts a line past the limit and says so', () => {
    const kept = storableRaw('x'.repeat(RAW_LINE_LIMIT + 5));
    expect(kept.raw).toHaveLength(RAW_LINE_LIMIT);
    expect(kept.rawTruncated).toBe(true);
  });
});
