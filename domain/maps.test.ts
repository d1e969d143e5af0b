import { appendTo } from './maps';

describe('appendTo', () => {
  it("starts a key's list, then appends to that same list in order", () => {
    const map = new Map<string, number[]>();
    appendTo(map, 'a', [1]);
    const list = map.get('a');
    appendTo(map, 'a', [2, 3]);
    appendTo(map, 'b', []);
    expect(map.get('a')).toBe(list);
    expect([...map]).toEqual([
      ['a', [1, 2, 3]],
      ['b', []],
    ]);
  });
});
