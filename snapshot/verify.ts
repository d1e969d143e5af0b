import { CATEGORY_TRAITS } from '../domain/category-traits';
import { CATEGORIES, type Category } from '../domain/categories';
import type { QuarantineCode } from '../domain/line-check';
import { classifyLines, FirstLines } from './classify';
import { exists, snapshotFiles } from './layout';
import { CHUNK_LINES, chunked, readLines } from './line-reader';
import { readManifest } from './manifest';
import { scanUsers } from './users';

export interface CategoryVerdict {
  lines: number;
  valid: number;
  quarantined: number;
  ignored: number;
  reasons: Partial<Record<QuarantineCode, number>>;
}

export interface VerifyReport {
  snapshotId: string;
  users: { valid: number; quarantined: number };
  /** Keys of `expected` in users.ndjson that name no category, with how many users have each. */
  unknownExpectedKeys: Record<string, number>;
  categories: Record<Category, CategoryVerdict>;
  /** The first quarantined lines, as pointers for a person: category, line number, reason. No contents. */
  examples: { category: Category | 'users'; line: number; code: QuarantineCode; message: string }[];
}

const EXAMPLES = 20;

/**
 * Checks a whole snapshot by the rules staging applies, writing nothing. Repeats are
 * tracked in memory, so memory grows with the number of records.
 */
export async function verifySnapshot(dir: string, onProgress: (category: Category, lines: number) => void = () => undefined): Promise<VerifyReport> {
  const manifest = await readManifest(dir);
  const report: VerifyReport = {
    snapshotId: manifest.snapshotId,
    users: { valid: 0, quarantined: 0 },
    unknownExpectedKeys: {},
    categories: {} as Record<Category, CategoryVerdict>,
    examples: [],
  };
  const { ids: users, bad, unknownExpectedKeys } = await scanUsers(dir);
  report.users = { valid: users.size, quarantined: bad.length };
  report.unknownExpectedKeys = unknownExpectedKeys;
  for (const line of bad.slice(0, EXAMPLES)) report.examples.push({ category: 'users', line: line.number, ...line.reason });
  for (const category of CATEGORIES) {
    const verdict: CategoryVerdict = { lines: 0, valid: 0, quarantined: 0, ignored: 0, reasons: {} };
    report.categories[category] = verdict;
    const file = snapshotFiles.category(dir, category);
    if (!(await exists(file))) continue;
    const firstLines = new FirstLines();
    for await (const chunk of chunked(readLines(file), CHUNK_LINES)) {
      for (const outcome of await classifyLines(chunk, CATEGORY_TRAITS[category], dir, (u) => users.has(u), firstLines)) {
        verdict[outcome.kind] += 1;
        if (outcome.kind !== 'quarantined') continue;
        verdict.reasons[outcome.reason.code] = (verdict.reasons[outcome.reason.code] ?? 0) + 1;
        if (report.examples.length < EXAMPLES) report.examples.push({ category, line: outcome.line, ...outcome.reason });
      }
      verdict.lines += chunk.length;
      onProgress(category, verdict.lines);
    }
  }
  return report;
}
