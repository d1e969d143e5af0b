import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { isoOf, jsonOf, valueAtPath } from './bson-json';

describe('jsonOf: BSON values as a line holds them (docs/design.md §3b)', () => {
  it('converts the types the table maps', () => {
    expect(jsonOf(new ObjectId('5f1d7c3e9a1b2c3d4e5f6a7b'))).toEqual({ value: '5f1d7c3e9a1b2c3d4e5f6a7b' });
    expect(jsonOf(new Date('2009-09-30T18:02:11Z'))).toEqual({ value: '2009-09-30T18:02:11Z' });
    expect(jsonOf(new Date('2009-09-30T18:02:11.250Z'))).toEqual({ value: '2009-09-30T18:02:11.250Z' });
    expect(jsonOf(new Int32(7))).toEqual({ value: 7 });
    expect(jsonOf(new Double(2.5))).toEqual({ value: 2.5 });
    expect(jsonOf(Long.fromString('9007199254740991'))).toEqual({ value: 9007199254740991 });
    expect(jsonOf(Long.fromString('-9007199254740991'))).toEqual({ value: -9007199254740991 });
    expect(jsonOf(Decimal128.fromString('12.340'))).toEqual({ value: '12.340' });
    expect(jsonOf({ a: ['x', true, null, { d: new Date('2009-01-01T00:00:00Z') }] })).toEqual({ value: { a: ['x', true, null, { d: '2009-01-01T00:00:00Z' }] } });
    expect(jsonOf(undefined)).toEqual({ value: undefined });
  });

  it('names every other type a mapping problem, also deep inside', () => {
    expect(jsonOf(Long.fromString('9007199254740992'))).toEqual({ problem: 'Int64 beyond ±(2^53−1)' });
    expect(jsonOf(new Binary(Buffer.from('x')))).toEqual({ problem: 'Binary' });
    expect(jsonOf(new Timestamp({ t: 1, i: 1 }))).toEqual({ problem: 'Timestamp' });
    expect(jsonOf(new BSONRegExp('a', 'i'))).toEqual({ problem: 'RegExp' });
    expect(jsonOf(new Code('x'))).toEqual({ problem: 'Code' });
    expect(jsonOf(new MinKey())).toEqual({ problem: 'MinKey' });
    expect(jsonOf(new MaxKey())).toEqual({ problem: 'MaxKey' });
    expect(jsonOf(new DBRef('c', new ObjectId()))).toEqual({ problem: 'DBPointer' });
    expect(jsonOf(new BSONSymbol('s'))).toEqual({ problem: 'Symbol' });
    expect(jsonOf(Number.NaN)).toEqual({ problem: 'Double NaN' });
    expect(jsonOf({ emails: [{ address: new Binary(Buffer.from('x')) }] })).toEqual({ problem: 'Binary' });
  });

  it('reads dotted paths, and a missing step as nothing', () => {
    const doc = { owner: { id: 1, profile: { name: 'Ana' } }, list: [1] };
    expect(valueAtPath(doc, 'owner.profile.name')).toBe('Ana');
    expect(valueAtPath(doc, 'owner.nope.name')).toBeUndefined();
    expect(valueAtPath(doc, 'list.0')).toBeUndefined();
  });

  it('writes dates as toISOString does, without .000, in every year it can meet', () => {
    const times = [
      0,
      -1,
      1,
      999,
      1_000,
      Date.UTC(2009, 9, 2, 7, 5, 9, 40),
      Date.UTC(1, 0, 1),
      Date.UTC(999, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59),
      Date.UTC(10_000, 0, 1),
      Date.UTC(-1, 5, 1, 12),
      -62198755200000,
    ];
    for (let t = -5e12; t < 5e12; t += 7_654_321_987) times.push(t);
    for (const t of times) {
      const iso = new Date(t).toISOString();
      expect(isoOf(new Date(t))).toBe(iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso);
    }
    expect(isoOf(new Date(0))).toBe('1970-01-01T00:00:00Z');
  });
});
