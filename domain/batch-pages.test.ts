import { pagesPerBatch } from './batch-pages';

describe('pagesPerBatch', () => {
  // Per user: 11 contacts, 3 events, 2 notes, 2.5 tasks, 1 photo, 1.5 scores (the generator's proportions).
  const users = 20_000;
  const expected = { contacts: 220_000, calendar: 60_000, notes: 40_000, tasks: 50_000, photos: 20_000, scores: 30_000 };
  const all = ['contacts', 'calendar', 'notes', 'tasks', 'photos', 'scores'] as const;

  it('gives small waves several pages, up to the records aimed at and the most pages, and a large wave and blobs one', () => {
    expect(pagesPerBatch(all, expected, users, 500, 3000, 4)).toEqual({ contacts: 1, calendar: 2, notes: 3, tasks: 2, photos: 1, scores: 4 });
  });

  it('never grows a batch past the users one may hold, nor below a page', () => {
    expect(pagesPerBatch(all, expected, users, 1000, 3000, 4)).toEqual({ contacts: 1, calendar: 1, notes: 1, tasks: 1, photos: 1, scores: 2 });
    expect(pagesPerBatch(all, expected, users, 3000, 3000, 4)).toEqual({ contacts: 1, calendar: 1, notes: 1, tasks: 1, photos: 1, scores: 1 });
  });

  it('leaves a wave at least as many batches as run at once', () => {
    const few = { contacts: 22_000, scores: 3000 };
    expect(pagesPerBatch(['contacts', 'scores'], few, 2000, 500, 3000, 4)).toEqual({ contacts: 1, scores: 1 });
    expect(pagesPerBatch(['contacts', 'scores'], few, 2000, 500, 3000, 2)).toEqual({ contacts: 1, scores: 2 });
    expect(pagesPerBatch(['scores'], { scores: 9000 }, 6000, 500, 3000, 4)).toEqual({ scores: 3 });
  });

  it('gives a category nobody expects anything of the most pages, and a campaign of no users one, without dividing by zero', () => {
    expect(pagesPerBatch(['notes'], {}, users, 500, 3000, 4)).toEqual({ notes: 4 });
    expect(pagesPerBatch(['notes'], { notes: 0 }, 0, 500, 3000, 4)).toEqual({ notes: 1 });
  });
});
