import { MultiBar, Presets, SingleBar } from 'cli-progress';
import type { CampaignProgress } from '../workflows';
import type { OutputOptions } from './output';
import { waveFigures } from '../operations/words';
import { describeWave, renderProgress } from './render';

export interface Progress {
  update(value: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr for long work; nothing with --json or when stderr is not a terminal. */
export function progressBar(options: OutputOptions, label: string, total: number): Progress {
  if (options.json || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`, hideCursor: true });
  bar.start(total, 0);
  return {
    update: (value, newTotal) => {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}

/**
 * Follows a running campaign: on a terminal, a bar per wave redrawn in place; otherwise the
 * progress in plain lines as the campaign moves; with --json, one progress document per line on stdout.
 */
export function campaignWatch(options: OutputOptions): { update(progress: CampaignProgress): void; stop(): void } {
  if (options.json) return { update: (p) => void process.stdout.write(`${JSON.stringify(p)}\n`), stop: () => undefined };
  if (!process.stderr.isTTY) {
    // Logs read best when a block appears as the campaign moves, not at every poll.
    let last = '';
    let printedAt = 0;
    return {
      update: (p) => {
        const moved = JSON.stringify([p.phase, p.paused, p.wave, p.outcome]);
        if (moved === last && Date.now() - printedAt < 30_000) return;
        process.stderr.write(`${renderProgress(p)}\n`);
        last = moved;
        printedAt = Date.now();
      },
      stop: () => undefined,
    };
  }
  const multi = new MultiBar(
    { stream: process.stderr, hideCursor: true, clearOnComplete: false, format: '{wave} [{bar}] {value}/{total} users | {figures}' },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  let status: SingleBar | undefined;
  return {
    update: (p) => {
      status ??= multi.create(1, 0, { wave: '', figures: '' }, { format: '{line}' });
      status.update(0, { line: renderProgress(p).split('\n')[0] });
      for (const tally of p.tallies ?? []) {
        const figures = waveFigures(tally, p.users);
        const bar = bars.get(tally.category) ?? multi.create(figures.total, 0, { wave: tally.category.padEnd(8), figures: '' });
        bars.set(tally.category, bar);
        bar.setTotal(Math.max(1, figures.total));
        bar.update(figures.done, { figures: describeWave(tally, figures) });
      }
    },
    stop: () => multi.stop(),
  };
}
