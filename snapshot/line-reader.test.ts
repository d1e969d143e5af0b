import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunked, type NumberedLine, readLines, readLinesAt } from './line-reader';

async function fileWith(text: string | Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'lines-')), 'f.ndjson');
  await writeFile(path, text);
  return path;
}

async function all(iter: AsyncIterable<NumberedLine>): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  for await (const l of iter) out.push(l);
  return out;
}

describe('readLines', () => {
  it('numbers lines from 1, skips blank ones, and reads a last line without a newline', async () => {
    const path = await fileWith('a\n\nb\r\n  \nc');
    expect((await all(readLines(path))).map((l) => [l.number, l.text])).toEqual([
      [1, 'a'],
      [3, 'b'],
      [5, 'c'],
    ]);
  });

  it('resumes exactly after any line from the position it gave, even inside multi-byte text', async () => {
    const text = ['{"n":"é"}', '{"n":"😀"}', '{"n":"z"}', '{"n":"ß"}'].join('\n') + '\n';
    const path = await fileWith(text);
    const whole = await all(readLines(path));
    for (const [i, line] of whole.entries()) {
      const rest = await all(readLines(path, line.next));
      expect(rest.map((l) => [l.number, l.text])).toEqual(whole.slice(i + 1).map((l) => [l.number, l.text]));
    }
  });

  it('handles lines longer than one read chunk', async () => {
    const long = 'x'.repeat(200_000);
    const path = await fileWith(`${long}\nshort\n`);
    expect((await all(readLines(path))).map((l) => l.text.length)).toEqual([200_000, 5]);
  });
});

describe('chunked', () => {
  it('groups items and yields the remainder', async () => {
    async function* numbers() {
      for (let i = 1; i <= 5; i++) yield i;
    }
    const out: number[][] = [];
    for await (const c of chunked(numbers(), 2)) out.push(c);
    expect(out).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('readLines on files as other tools write them', () => {
  it('ignores one byte-order mark at the start of the file, and only there', async () => {
    const path = await fileWith('\ufeff{"a":1}\r\n\ufeff{"b":2}\r\n');
    const lines = await all(readLines(path));
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', '\ufeff{"b":2}']);
    // Resuming after the first line reads the second as it is; the positions count the mark's bytes.
    expect((await all(readLines(path, lines[0].next))).map((l) => l.text)).toEqual(['\ufeff{"b":2}']);
    expect(lines[0].next.byte).toBe(3 + '{"a":1}\r\n'.length);
  });

  it('fails on a missing file or a directory with a typed error naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lines-'));
    await expect(all(readLines(join(dir, 'gone.ndjson')))).rejects.toMatchObject({ name: 'SnapshotFileError', message: expect.stringMatching(/gone\.ndjson is missing$/) });
    await expect(all(readLines(dir))).rejects.toMatchObject({ name: 'SnapshotFileError', message: expect.stringMatching(/is a directory, not a file$/) });
  });
});

describe('readLinesAt', () => {
  it('reads back each line at the span readLines gave it, in the order asked, as readLines read it', async () => {
    const path = await fileWith('\ufeff{"a":1}\r\n{"n":"😀"}\n\n{"c":3}');
    const lines = await all(readLines(path));
    const spans = lines.map((l) => ({ at: l.at, end: l.next.byte })).reverse();
    expect(await readLinesAt(path, spans)).toEqual(lines.map((l) => l.text).reverse());
  });

  it('reads spans near and far apart, repeated, and past a megabyte of them, each as readLines read it', async () => {
    // Short lines read through together, long ones (40 KB) apart, and over 1 MiB in all: every way spans group into reads.
    const texts = Array.from({ length: 300 }, (_, i) => (i % 10 === 5 ? `{"long":"${'x'.repeat(40_000)}${i}"}` : `{"n":${i}}`));
    const path = await fileWith(texts.join('\n') + '\n');
    const lines = await all(readLines(path));
    const wanted = [...lines.filter((_, i) => i % 3 !== 1).reverse(), lines[7], lines[7]];
    expect(
      await readLinesAt(
        path,
        wanted.map((l) => ({ at: l.at, end: l.next.byte })),
      ),
    ).toEqual(wanted.map((l) => l.text));
  });

  it('gives what a file that shrank holds at a span, for the caller to tell, and fails on a missing file', async () => {
    const path = await fileWith('{"a":1}\n');
    expect(await readLinesAt(path, [{ at: 5, end: 12 }])).toEqual(['1}']);
    await expect(readLinesAt(`${path}.gone`, [{ at: 0, end: 1 }])).rejects.toMatchObject({ name: 'SnapshotFileError' });
  });
});
