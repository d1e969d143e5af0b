import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { importSnapshot } from '../../backup/import-snapshot';
import { readImportMap } from '../../backup/import-map';
import { openDatabaseSource, openDumpSource } from '../../backup/sources';
import { CATEGORIES } from '../../domain/categories';
import { DateTime } from '../../domain/record-schemas';
import { generateSnapshot } from '../../snapshot/generate';
import { verifySnapshot } from '../../snapshot/verify';
import { printResult, sayer, table } from '../output';
import { renderImportReport, unknownExpectedLines } from '../render';
import { boundedIntArg, parseWith, rateArg } from '../parse';
import { progressBar } from '../progress';

const seedArg = parseWith(z.string().min(1).max(200), 'must be 1–200 characters');
const snapshotIdArg = parseWith(z.string().min(1).max(200), 'must be 1–200 characters');
const isoArg = parseWith(DateTime, 'must be an ISO-8601 date-time with an offset, such as 2009-10-02T00:00:00Z');

/** `snapshot generate|verify`: files only, no stack needed. */
export function registerSnapshotCommands(program: Command): void {
  const snapshot = program.command('snapshot').description('make or check a restore-snapshot/v1 directory');

  snapshot
    .command('generate <dir>')
    .description('write a synthetic snapshot with realistic records of all six categories')
    .requiredOption('--users <n>', 'affected users, 1–10,000,000', boundedIntArg(1, 10_000_000))
    .option('--seed <s>', 'seed: the same seed writes the same snapshot', seedArg, 'restorectl')
    .option('--corrupt-rate <r>', 'share of record lines (0–1) written broken, each breaking one rule', rateArg, 0)
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => {
      const bar = progressBar(opts, 'users', opts.users);
      const summary = await generateSnapshot(resolve(dir), { users: opts.users, seed: opts.seed, corruptRate: opts.corruptRate, onProgress: (n) => bar.update(n) });
      bar.stop();
      printResult(opts, { dir: resolve(dir), ...summary }, (s) =>
        [
          `snapshot ${s.snapshotId} written to ${s.dir}: ${s.users} users`,
          table([['CATEGORY', 'LINES'], ...CATEGORIES.map((c) => [c, s.lines[c]])]),
          `broken on purpose: ${
            Object.entries(s.corruptions)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ') || 'none'
          }`,
        ].join('\n'),
      );
    });

  snapshot
    .command('verify <dir>')
    .description('check a snapshot by every rule of the format, writing nothing')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => {
      const say = sayer(opts);
      const report = await verifySnapshot(resolve(dir), (category, lines) => {
        if (lines % 50_000 === 0) say(`${category}: ${lines} lines checked`);
      });
      printResult(opts, report, (r) =>
        [
          `snapshot ${r.snapshotId}: ${r.users.valid} users${r.users.quarantined ? `, ${r.users.quarantined} bad lines in users.ndjson` : ''}`,
          ...unknownExpectedLines(r.unknownExpectedKeys),
          table([
            ['CATEGORY', 'LINES', 'VALID', 'QUARANTINED', 'IGNORED', 'REASONS'],
            ...CATEGORIES.map((c) => {
              const v = r.categories[c];
              return [
                c,
                v.lines,
                v.valid,
                v.quarantined,
                v.ignored,
                Object.entries(v.reasons)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', '),
              ];
            }),
          ]),
          ...(r.examples.length ? ['', 'first quarantined lines:', ...r.examples.map((e) => `  ${e.category}.ndjson:${e.line} ${e.code}: ${e.message}`)] : []),
        ].join('\n'),
      );
    });

  snapshot
    .command('import <outDir>')
    .description('turn a backup (a mongodump directory or a recovered database) into a restore-snapshot/v1 directory, by a map (docs/design.md §3b)')
    .requiredOption('--from <source>', 'a mongodump directory, or mongodb://… of a recovered database')
    .requiredOption('--map <file>', 'the map: where each category lives in the backup and how its documents become records')
    .option('--db <name>', "the backup's database (a dump's folder; a URI's database when it names none)")
    .option('--snapshot-id <id>', 'the snapshot id to give it (default: import- and a digest)', snapshotIdArg)
    .option('--taken-at <iso>', 'when the backup was taken (default: now)', isoArg)
    .option('--outage-started-at <iso>', 'when the outage began', isoArg)
    .option('--workers <n>', 'threads that map documents into lines, 0–16 (0: map in the main thread; default: one per core, up to 4)', boundedIntArg(0, 16))
    .option('--json', 'machine-readable output: the import report')
    .action(async (outDir: string, opts) => {
      const map = await readImportMap(resolve(opts.map));
      const fromDatabase = /^mongodb(\+srv)?:\/\//.test(opts.from);
      const source = fromDatabase ? await openDatabaseSource(opts.from, opts.db) : await openDumpSource(resolve(opts.from), opts.db);
      try {
        const bar = progressBar(opts, source.unit, 0);
        const report = await importSnapshot({
          source,
          from: fromDatabase ? source.description : resolve(opts.from),
          map,
          outDir: resolve(outDir),
          snapshotId: opts.snapshotId,
          takenAt: opts.takenAt,
          outageStartedAt: opts.outageStartedAt,
          workers: opts.workers,
          onProgress: (done, total) => bar.update(done, total),
        }).finally(() => bar.stop());
        printResult(opts, report, renderImportReport);
      } finally {
        await source.close();
      }
    });
}
