import { judgedLinesAtOnce } from './staging';

describe('judgedLinesAtOnce', () => {
  it('holds what the heap has beyond what the worker spares, at 600 bytes a line', () => {
    expect(judgedLinesAtOnce(384 * 2 ** 20)).toBe(Math.floor((256 * 2 ** 20) / 600));
    expect(judgedLinesAtOnce(64 * 2 ** 20)).toBe(0);
  });
});
