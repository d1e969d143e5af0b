import { BatchPacer, MAX_CONCURRENCY, paceChangeProblem } from './pace';

describe('a change of pace', () => {
  it('is accepted with a concurrency in range, a positive ceiling, or a ceiling lifted', () => {
    expect(paceChangeProblem({ concurrency: 1 })).toBeNull();
    expect(paceChangeProblem({ concurrency: MAX_CONCURRENCY, maxRecordsPerSecond: 250.5 })).toBeNull();
    expect(paceChangeProblem({ maxRecordsPerSecond: null })).toBeNull();
  });

  it('is refused, in one line naming the rule, for anything else', () => {
    expect(paceChangeProblem({ concurrency: 0 })).toBe('concurrency must be a whole number from 1 to 64');
    expect(paceChangeProblem({ concurrency: 2.5 })).toBe('concurrency must be a whole number from 1 to 64');
    expect(paceChangeProblem({ concurrency: '3' })).toBe('concurrency must be a whole number from 1 to 64');
    expect(paceChangeProblem({ concurrency: MAX_CONCURRENCY + 1 })).toBe('concurrency must be a whole number from 1 to 64');
    expect(paceChangeProblem({ maxRecordsPerSecond: 0 })).toMatch(/^the ceiling on records per second must be a number above 0/);
    expect(paceChangeProblem({})).toMatch(/must give the concurrency, the ceiling on records per second, or both/);
    expect(paceChangeProblem({ concurrency: 2, batchSize: 5 })).toMatch(/batchSize/);
    expect(paceChangeProblem(null)).not.toBeNull();
  });
});

describe('the batch pacer', () => {
  it('starts batches at once without a ceiling', () => {
    const pacer = new BatchPacer();
    expect([pacer.admit(500, null, 0), pacer.admit(500, null, 10)]).toEqual([0, 0]);
  });

  it('spaces batches by the time their records take at the ceiling, and waits no more once time has passed', () => {
    const pacer = new BatchPacer();
    expect(pacer.admit(100, 50, 1000)).toBe(0); // books 2 s
    expect(pacer.admit(100, 50, 1500)).toBe(1500); // starts at 3000, books to 5000
    expect(pacer.admit(10, 50, 9000)).toBe(0); // long after: no debt carried
  });

  it('forgets what was booked under a ceiling once the ceiling is lifted', () => {
    const pacer = new BatchPacer();
    pacer.admit(1000, 1, 0);
    expect(pacer.admit(10, null, 5)).toBe(0);
    expect(pacer.admit(10, 10, 6)).toBe(0);
  });
});
