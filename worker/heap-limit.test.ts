import { heapLimitFlag } from './heap-limit';

describe('heapLimitFlag', () => {
  it('bounds a process started without a heap size of its own', () => {
    expect(heapLimitFlag([], undefined, 384)).toBe('--max-old-space-size=384');
    expect(heapLimitFlag(['--enable-source-maps'], '--trace-warnings', 512)).toBe('--max-old-space-size=512');
  });

  it("leaves the operator's heap size, given as a flag or in NODE_OPTIONS, and a limit of 0, to V8", () => {
    expect(heapLimitFlag(['--max-old-space-size=2048'], undefined, 384)).toBeNull();
    expect(heapLimitFlag([], '--trace-warnings --max-old-space-size=1024', 384)).toBeNull();
    expect(heapLimitFlag([], undefined, 0)).toBeNull();
  });
});
