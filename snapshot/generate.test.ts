import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORIES } from '../domain/categories';
import { InputError } from '../domain/errors';
import { generateSnapshot } from './generate';
import { verifySnapshot } from './verify';

const newDir = async () => join(await mkdtemp(join(tmpdir(), 'gen-')), 'snap');

describe('generateSnapshot and verifySnapshot', () => {
  it('writes a clean snapshot that verifies with nothing quarantined', async () => {
    const dir = await newDir();
    const summary = await generateSnapshot(dir, { users: 60, seed: 'clean', corruptRate: 0 });
    const report = await verifySnapshot(dir);
    expect(report.snapshotId).toBe(summary.snapshotId);
    expect(report.users).toEqual({ valid: 60, quarantined: 0 });
    for (const c of CATEGORIES) {
      expect(report.categories[c]).toMatchObject({ lines: summary.lines[c], valid: summary.lines[c], quarantined: 0, ignored: 0 });
    }
    expect(summary.lines.contacts).toBeGreaterThan(60);
  });

  it('with a corrupt rate, breaks every rule and verify finds each break', async () => {
    const dir = await newDir();
    const summary = await generateSnapshot(dir, { users: 300, seed: 'broken', corruptRate: 0.3 });
    const report = await verifySnapshot(dir);
    const reasons = new Set(CATEGORIES.flatMap((c) => Object.keys(report.categories[c].reasons)));
    expect([...reasons].sort()).toEqual(['bad-record-id', 'blob-mismatch', 'blob-missing', 'digest-mismatch', 'duplicate-conflict', 'invalid-json', 'schema', 'unknown-user']);
    const total = (k: 'lines' | 'valid' | 'quarantined' | 'ignored') => CATEGORIES.reduce((n, c) => n + report.categories[c][k], 0);
    expect(total('valid') + total('quarantined') + total('ignored')).toBe(total('lines'));
    expect(total('ignored')).toBe(summary.corruptions['identical-repeat']);
    expect(total('quarantined')).toBe(
      summary.corruptions['invalid-json'] +
        summary.corruptions.schema +
        summary.corruptions['digest-mismatch'] +
        summary.corruptions['unknown-user'] +
        summary.corruptions['bad-record-id'] +
        summary.corruptions['duplicate-conflict'] +
        summary.corruptions['blob-missing'] +
        summary.corruptions['blob-mismatch'],
    );
  });

  it('writes the same bytes for the same seed', async () => {
    const [a, b] = [await newDir(), await newDir()];
    await generateSnapshot(a, { users: 40, seed: 's', corruptRate: 0.1 });
    await generateSnapshot(b, { users: 40, seed: 's', corruptRate: 0.1 });
    for (const f of ['users.ndjson', 'contacts.ndjson', 'photos.ndjson', 'manifest.json']) {
      expect(await readFile(join(a, f), 'utf8')).toBe(await readFile(join(b, f), 'utf8'));
    }
  });

  it('refuses a directory that is not empty', async () => {
    const dir = await newDir();
    await generateSnapshot(dir, { users: 1, seed: 's', corruptRate: 0 });
    await expect(generateSnapshot(dir, { users: 1, seed: 's', corruptRate: 0 })).rejects.toBeInstanceOf(InputError);
  });
});
