import { CATEGORIES } from '../domain/categories';
import type { CampaignReport } from '../store/control/campaign-report';
import type { ImportReport } from '../backup/import-snapshot';
import type { FailureReport, QuarantineGroup } from '../store/control/failure-report';
import type { FinalReport } from '../client/campaigns';
import type { CampaignPace, CampaignProgress, ReplayReport, WaveTally } from '../workflows';
import { waveFigures, type WaveFigures } from '../operations/words';
import { table } from './output';

/** A campaign report as text for incident staff. */
export function renderCampaign(r: CampaignReport): string {
  const rows = CATEGORIES.filter((c) => r.categories[c]).map((c) => {
    const { users, records } = r.categories[c]!;
    return [
      c,
      users.restored,
      users.partial,
      users.failed,
      users.pending + users.validating + users.restoring,
      records.restored,
      records.keptLive,
      records.duplicates,
      records.quarantined,
      records.missing,
    ];
  });
  const took = r.finishedAt ? `, took ${Math.round((new Date(r.finishedAt).getTime() - new Date(r.createdAt).getTime()) / 1000)} s` : '';
  return [
    `campaign ${r.campaignId} (snapshot ${r.snapshotId || 'not read'}): ${r.state}, ${r.users} users${took}`,
    ...(r.dryRun ? ['dry run: the figures are what a real run would do; nothing was written to the live store'] : []),
    ...(r.error ? [`failed: ${r.error.class}: ${r.error.message}`] : []),
    ...unknownExpectedLines(r.unknownExpectedKeys),
    ...scopeLines(r.scope),
    table([['CATEGORY', 'RESTORED', 'PARTIAL', 'FAILED', 'OPEN', 'RECORDS BACK', 'KEPT LIVE', 'DUPLICATES', 'QUARANTINED', 'MISSING'], ...rows]),
    '(RESTORED/PARTIAL/FAILED/OPEN count users; the rest count records)',
  ].join('\n');
}

/** For a campaign scoped to listed users: how many were listed, and which are not in the snapshot. */
function scopeLines(scope: CampaignReport['scope']): string[] {
  if (!scope) return [];
  const lines = [`scoped to ${scope.requested} listed user${scope.requested === 1 ? '' : 's'}`];
  if (scope.unknown > 0) {
    const more = scope.unknown > scope.unknownExamples.length ? ` and ${scope.unknown - scope.unknownExamples.length} more` : '';
    lines.push(`not in the snapshot, so not restored: ${scope.unknownExamples.join(', ')}${more}`);
  }
  return lines;
}

/** A warning line for `expected` keys of users.ndjson that name no category; none when there are none. */
export function unknownExpectedLines(keys: Record<string, number> | undefined): string[] {
  const entries = Object.entries(keys ?? {});
  if (entries.length === 0) return [];
  const list = entries.map(([k, n]) => `${JSON.stringify(k)} (${n} user${n === 1 ? '' : 's'})`).join(', ');
  return [`warning: users.ndjson counts records under names that are no category, which no wave restores: ${list}`];
}

/** A campaign's pace in words. */
export function renderPace(pace: CampaignPace): string {
  const ceiling = pace.maxRecordsPerSecond === null ? 'no ceiling on records per second' : `at most ${pace.maxRecordsPerSecond} records per second`;
  return `${pace.concurrency} batch(es) at once, ${ceiling}`;
}

/** A duration in words a reader takes in at a glance: 40 s, 12 min, 3.5 h. */
function roughly(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A wave's figures after its bar: rate, what did not simply restore, and the ETA. */
export function describeWave(tally: WaveTally, figures: WaveFigures): string {
  const { records, users } = tally;
  const eta = tally.endedAt !== null ? 'done' : figures.etaSeconds === null ? 'ETA unknown' : `ETA ${roughly(figures.etaSeconds)}`;
  return `${Math.round(figures.recordsPerSecond)} records/s | ${records.quarantined} quarantined, ${users.failed} users failed, ${records.keptLive} kept live, ${records.duplicates} duplicates | ${eta}`;
}

/** What a running campaign is doing now: a line for the campaign, then one per wave started. */
export function renderProgress(p: CampaignProgress, now = Date.now()): string {
  const wave = p.category ? `wave ${p.wave + 1} of ${p.waves} (${p.category})` : `${p.waves} waves`;
  // pausedReason is absent from campaigns that started before it existed.
  const paused = p.paused ? `, PAUSED (${p.pausedReason ?? 'paused by the operator'}): no new batches start` : '';
  // pace is absent from campaigns that started before it existed.
  const pace = p.pace ? `; pace: ${renderPace(p.pace)}` : '';
  const waves = (p.tallies ?? []).map((t) => {
    const figures = waveFigures(t, p.users, now);
    return `  ${t.category}: ${figures.done} of ${figures.total} users | ${describeWave(t, figures)}`;
  });
  return [`now: ${p.phase}, ${wave}, ${p.batchesRunning} batch(es) running${paused}${pace}`, ...waves].join('\n');
}

/** What went wrong in a campaign, by cause, for engineers; ends with how to replay. */
export function renderFailures(r: FailureReport): string {
  const scope = `campaign ${r.campaignId}${r.category ? `, ${r.category}` : ''}`;
  const failed = r.failed.length
    ? [
        'failed, by error class:',
        table([['CATEGORY', 'ERROR', 'USERS', 'EXAMPLE USERS', 'MESSAGE'], ...r.failed.map((g) => [g.category, g.errorClass, g.count, g.exampleUserIds.join(' '), g.message])]),
      ]
    : ['no user-category failed'];
  return [scope, '', ...failed, '', ...quarantineLines(r.quarantined)].join('\n');
}

/** Quarantined lines by file and reason, with examples, as text. */
function quarantineLines(groups: QuarantineGroup[]): string[] {
  if (groups.length === 0) return ['nothing quarantined'];
  return [
    'quarantined, by reason:',
    table([
      ['FILE', 'REASON', 'LINES', 'EXAMPLES (user@line)', 'MESSAGE'],
      ...groups.map((g) => [g.category, g.reason, g.count, g.examples.map((e) => `${e.userId ?? '-'}@${e.line}`).join(' '), g.message]),
    ]),
  ];
}

/**
 * The report a finished campaign (or plan) ends with: per wave, then the quarantined lines
 * as a table of reasons by file (`failures` lists them with examples).
 */
export function renderFinalReport(r: FinalReport): string {
  const groups = r.quarantinedByReason;
  if (groups.length === 0) return [renderCampaign(r), '', 'nothing quarantined'].join('\n');
  const files = (['users', ...CATEGORIES] as const).filter((f) => groups.some((g) => g.category === f));
  const reasons = [...new Set(groups.map((g) => g.reason))];
  const count = (reason: string, file: string) => groups.find((g) => g.reason === reason && g.category === file)?.count ?? 0;
  const rows = reasons.map((reason) => [reason, ...files.map((f) => count(reason, f) || '-'), files.reduce((n, f) => n + count(reason, f), 0)]);
  return [
    renderCampaign(r),
    '',
    'quarantined lines, by reason and file (restorectl failures lists them with examples):',
    table([['REASON', ...files.map((f) => f.toUpperCase()), 'TOTAL'], ...rows]),
  ].join('\n');
}

/** A replay's outcome as text for engineers: per category re-run, users by state and records by fate. */
export function renderReplay(r: ReplayReport): string {
  if (r.categories.length === 0 && r.notInSnapshot.length === 0) return `nothing to replay in campaign ${r.campaignId}: what was chosen is restored already`;
  const rows = r.categories.map(({ category, users, outcome: o }) => [
    category,
    users,
    o.restored,
    o.partial,
    o.failed,
    o.records.restored,
    o.records.keptLive,
    o.records.duplicates,
    o.records.quarantined,
    o.records.missing,
  ]);
  return [
    `replay of campaign ${r.campaignId} from ${r.snapshotDir}:`,
    table([['CATEGORY', 'USERS', 'RESTORED', 'PARTIAL', 'FAILED', 'RECORDS BACK', 'KEPT LIVE', 'DUPLICATES', 'QUARANTINED', 'MISSING'], ...rows]),
    ...(r.notInSnapshot.length ? [`not in this snapshot's users.ndjson, left as they were: ${r.notInSnapshot.join(', ')}`] : []),
  ].join('\n');
}

/** What an import did, per source collection, and where its report is. */
export function renderImportReport(r: ImportReport): string {
  const problems = (c: ImportReport['collections'][number]) =>
    Object.entries(c.problems)
      .flatMap(([kind, fields]) => Object.entries(fields).map(([field, n]) => `${kind} in ${field} ${n}`))
      .join(', ');
  return [
    `snapshot ${r.snapshotId} written to ${r.outDir}: ${r.users} users, from ${r.from}`,
    table([
      ['COLLECTION', 'FILE', 'READ', 'WRITTEN', 'NOT MAPPED'],
      ...r.collections.map((c) => [c.collection, `${c.category}.ndjson`, c.documentsRead, c.linesWritten, problems(c) || '-']),
    ]),
    r.totals.problems
      ? `${r.totals.problems} value(s) could not be mapped: their lines hold a marker, and the campaign quarantines them (restorectl snapshot verify shows them); the positions are in import-report.json`
      : 'every value mapped',
    `next: restorectl snapshot verify ${r.outDir}`,
  ].join('\n');
}
