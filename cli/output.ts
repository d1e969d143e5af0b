/** Output helpers: `--json` prints one JSON document on stdout; human text goes to stdout, chatter to stderr. */

export interface OutputOptions {
  json?: boolean;
}

/** Prints one JSON document on stdout. */
function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `value` as JSON with --json, else the human text `render` makes of it. */
export function printResult<T>(options: OutputOptions, value: T, render: (value: T) => string): void {
  if (options.json) printJson(value);
  else process.stdout.write(`${render(value)}\n`);
}

/** Progress lines for people; silent with --json so stdout and stderr stay clean for machines. */
export function sayer(options: OutputOptions): (line: string) => void {
  return options.json ? () => undefined : (line) => process.stderr.write(`${line}\n`);
}

/** Renders rows as aligned columns. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => String(c).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
