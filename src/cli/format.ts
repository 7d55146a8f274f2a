import type { MetricValue } from '../task/types.js';

export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return Number(x.toPrecision(digits)).toString();
}

export function formatMetric(m: MetricValue): string {
  const ci = m.ci95 ? ` [${formatNumber(m.ci95[0])}, ${formatNumber(m.ci95[1])}]` : '';
  return `${formatNumber(m.value)}${ci} (n=${m.n})`;
}

/** A plain text table with aligned columns. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
