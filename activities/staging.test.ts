import { atMostEvery, judgedLinesAtOnce } from './staging';

describe('judgedLinesAtOnce', () => {
  it('holds what the heap has beyond what the worker spares, at 600 bytes a line', () => {
    expect(judgedLinesAtOnce(384 * 2 ** 20)).toBe(Math.floor((256 * 2 ** 20) / 600));
    expect(judgedLinesAtOnce(64 * 2 ** 20)).toBe(0);
  });
});

describe('atMostEvery', () => {
  afterEach(() => jest.useRealTimers());

  it('passes the first call and then one a period, dropping those between', () => {
    jest.useFakeTimers({ now: 10_000 });
    const beat = jest.fn();
    const throttled = atMostEvery(1_000, beat);
    throttled();
    throttled();
    jest.advanceTimersByTime(999);
    throttled();
    expect(beat).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    throttled();
    throttled();
    expect(beat).toHaveBeenCalledTimes(2);
  });
});
