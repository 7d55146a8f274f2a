import type { Comparison } from '../scaling/index.js';
import type { ReportSubject, SubjectMetric, SubjectTask } from './report-data.js';

/** 0.1234, -0.02796, 12.35, 1.2e-5: four significant digits, "n/a" for missing. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-4)) return x.toExponential(digits - 2).replace('e+', 'e');
  return Number(x.toPrecision(digits)).toString();
}

/** 5.023e13 (compute, tokens, parameters). */
export function sci(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return x.toExponential(3).replace('e+', 'e');
}

export function ci(c: [number | null, number | null] | null | undefined): string {
  return c ? `[${num(c[0])}, ${num(c[1])}]` : '(no interval)';
}

export function signed(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return `${x > 0 ? '+' : ''}${num(x)}`;
}

/** The headline metric of a task result, if it has a value. */
export function headlineOf(t: SubjectTask): [string, SubjectMetric] | null {
  if (!t.headline) return null;
  const m = t.metrics[t.headline];
  return m ? [t.headline, m] : null;
}

/** Comparisons of a task's headline metric, the model's own objective's family first. */
export function headlineComparisons(s: ReportSubject, task: string): Comparison[] {
  const h = s.tasks[task]?.headline;
  if (!h || !s.matched) return [];
  return s.matched.comparisons
    .filter((c) => c.task === task && c.metric === h)
    .sort((a, b) => Number(b.primary) - Number(a.primary) || (a.family < b.family ? -1 : 1));
}

/**
 * Why a comparison is not a plain verdict, in short phrases: the verdict's own reason (matched compute
 * v2), the compute gap to the family's range, published numbers on other data, another scoring
 * protocol. Runs made before v2 (no verdictReason) fall back to the clamped end of the curve.
 */
export function comparisonReasons(c: Comparison): string[] {
  const out: string[] = [];
  // Optional in practice: runs written by matched compute v1 lack the v2 fields.
  const v2 = c as Partial<Pick<Comparison, 'verdictReason' | 'computeGap'>> & Comparison;
  if (v2.computeGap) {
    const g = v2.computeGap;
    out.push(`model compute ${num(g.decades, 2)} decades ${g.side} the ${c.family} range (nearest point ${g.nearest}): not matched`);
  } else if (c.clamped) {
    const end = c.clamped === 'below' ? c.lower : c.upper;
    out.push(`model compute ${c.clamped} the ${c.family} curve (nearest point ${end.id} at ${sci(end.flops)} FLOPs)`);
  }
  if (c.kind === 'published') out.push('published baseline on other data');
  if (c.protocol && !c.protocol.same) out.push(`baseline protocol ${c.protocol.baseline}, this run ${c.protocol.run}`);
  if (typeof v2.verdictReason === 'string' && v2.verdictReason) out.push(v2.verdictReason);
  return [...new Set(out)];
}

/** Verdicts that are a result; every other verdict is shown with its reasons. */
export const RESULT_VERDICTS = new Set(['better', 'worse', 'indistinguishable']);

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Headline metrics without a baseline, grouped: `fold, perplexity (esm2, progen2); contacts (progen2)`;
 * the reasons themselves are in the JSON and the reports.
 */
export function unavailableText(s: ReportSubject, tasks: string[]): string {
  const byFamilies = new Map<string, string[]>();
  for (const t of tasks) {
    const fams = (s.matched?.unavailable ?? [])
      .filter((u) => u.task === t && (u.metric === null || u.metric === s.tasks[t]?.headline))
      .map((u) => u.family)
      .sort();
    if (fams.length === 0) continue;
    const k = [...new Set(fams)].join(', ');
    byFamilies.set(k, [...(byFamilies.get(k) ?? []), t]);
  }
  return [...byFamilies.entries()].map(([f, ts]) => `${ts.join(', ')} (${f})`).join('; ');
}

/** `C = 5.023e13 FLOPs (6ND): N = 1,185,280 non-embedding (card.params), D = 7.064e6 tokens (card.trainTokens)` */
export function computeText(s: ReportSubject): string {
  const c = s.compute;
  if (!c) return 'compute: not recorded';
  const n = `N = ${Number.isFinite(c.params) ? c.params.toLocaleString('en-US') : 'n/a'} non-embedding parameters (${c.paramsSource})`;
  if (c.flops === null) return `compute: unknown (${c.reason ?? 'no trainTokens or trainFlops in the card'}); ${n}`;
  return `compute: C = ${sci(c.flops)} FLOPs (${c.flopsSource}); ${n}; D = ${sci(c.tokens)} tokens (${c.tokensSource ?? 'unknown'})`;
}

/** `frontier (mlm law, the model's): N_opt = 2.653e3, D_opt = 2.861e9; N/N_opt = 447, D/D_opt = 0.00247; extrapolated: ...` */
export function frontierLines(s: ReportSubject): string[] {
  return [...s.frontier]
    .sort((a, b) => Number(b.primary) - Number(a.primary))
    .map(
      (f) =>
        `frontier (${f.objective.toUpperCase()} law${f.primary ? ", the model's objective" : ''}): N_opt = ${sci(f.nOpt)}, D_opt = ${sci(f.dOpt)}; N/N_opt = ${num(f.nRatio, 3)}, D/D_opt = ${num(f.dRatio, 3)}${f.outsideFittedRange ? ` (extrapolated: ${f.rangeNote ?? 'outside the fitted range'})` : ''}`,
    );
}

/**
 * The end-of-run summary: a table of tasks by headline metric with interval and n, one matched-compute
 * line per task and family with reasons where there is no plain verdict, compute and N/N_opt, and where
 * the JSON was written. Plain text, no escape codes: it reads the same in a terminal and a CI log.
 */
export function runSummaryText(s: ReportSubject, wrote: string | null): string {
  const lines: string[] = [];
  const src = s.source;
  lines.push(
    '',
    `== plmbench summary: ${s.id}${s.objective ? ` (${s.objective})` : ''}, tier ${src.tier ?? '?'}, seed ${src.seed ?? '?'}${src.seconds !== null ? `, ${num(src.seconds, 3)} s` : ''} ==`,
    '',
  );
  const rows: string[][] = [['task', 'metric', 'value', '95% CI', 'n', 'status']];
  const tasks = Object.keys(s.tasks).sort();
  for (const name of tasks) {
    const t = s.tasks[name]!;
    const h = headlineOf(t);
    if (t.status === 'ok' && h) rows.push([name, h[0], num(h[1].value), ci(h[1].ci95), String(h[1].n ?? 'n/a'), 'ok']);
    else rows.push([name, t.headline ?? '-', '-', '-', '-', `${t.status}${t.reason ? `: ${t.reason}` : ''}`]);
  }
  lines.push(...pad(rows).map((l) => `  ${l}`), '');
  lines.push("matched compute (the baseline family interpolated at the model's training compute; * = the model's objective):");
  const mrows: string[][] = [['task', 'family', 'kind', 'baseline', 'delta [95% CI]', 'verdict']];
  const reasons: string[] = [];
  let any = false;
  for (const name of tasks) {
    for (const c of headlineComparisons(s, name)) {
      any = true;
      mrows.push([
        `${name}.${c.metric}`,
        `${c.family}${c.primary ? '*' : ''}`,
        c.kind,
        num(c.baseline),
        `${signed(c.delta)} ${ci(c.deltaCi95)}`,
        c.verdict,
      ]);
      const why = comparisonReasons(c);
      if (!RESULT_VERDICTS.has(c.verdict) || why.length > 0)
        reasons.push(`  ${name} / ${c.family}: ${c.verdict}${why.length ? `: ${why.join('; ')}` : ''}`);
    }
  }
  if (any) lines.push(...pad(mrows).map((l) => `  ${l}`));
  else lines.push('  no comparison for any headline metric');
  if (reasons.length) lines.push('reasons and notes:', ...reasons);
  const none = unavailableText(s, tasks);
  if (none) lines.push(`  no baseline scores: ${none}`);
  for (const n of s.matched?.notes ?? []) lines.push(`  note: ${n}`);
  lines.push('', computeText(s), ...frontierLines(s));
  if (wrote) lines.push(`result JSON: ${wrote}`);
  lines.push('');
  return lines.join('\n');
}
