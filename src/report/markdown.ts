import type { ReportData, ReportSubject } from './report-data.js';
import { taskNames } from './report-data.js';
import {
  ci,
  comparisonReasons,
  computeText,
  headlineComparisons,
  headlineOf,
  num,
  RESULT_VERDICTS,
  sci,
  signed,
  unavailableText,
} from './summary-text.js';

/** A Markdown table cell: no pipes or newlines. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

export function metricCell(s: ReportSubject, task: string): string {
  const t = s.tasks[task];
  if (!t) return '—';
  if (t.status !== 'ok') return `${t.status}${t.reason ? `: ${t.reason}` : ''}`;
  const h = headlineOf(t);
  if (!h) return 'n/a';
  return `${num(h[1].value)} ${ci(h[1].ci95)} (n=${h[1].n ?? 'n/a'})${t.rank ? ` #${t.rank}` : ''}`;
}

/**
 * The Markdown report: fits GitHub's job summary ($GITHUB_STEP_SUMMARY) and a PR comment (tables,
 * <details>; no HTML beyond what GitHub renders, no images). It ends with a newline after a complete
 * section, so a gate table can be appended to the same file.
 */
export function renderMarkdown(data: ReportData, generator: string): string {
  const { subjects } = data;
  const tasks = taskNames(subjects);
  const out: string[] = [];
  out.push(`## plmbench report: ${subjects.map((s) => s.id).join(', ')}`, '');
  const tiers = [...new Set(subjects.map((s) => s.source.tier ?? '?'))];
  out.push(
    `Tier ${tiers.join(', ')}; ${subjects.length} model(s). Headline metric per task, with its 95% bootstrap interval and number of items (rank among these models when from a leaderboard).`,
    '',
  );
  out.push(
    ...table(
      ['task', 'metric', ...subjects.map((s) => s.id)],
      tasks.map((t) => [t, subjects.map((s) => s.tasks[t]?.headline).find(Boolean) ?? '-', ...subjects.map((s) => metricCell(s, t))]),
    ),
    '',
  );

  out.push(
    '### Matched compute',
    '',
    "Each baseline family's score interpolated at the model's training compute (linear in log10 C); `*` marks the family of the model's objective.",
    '',
  );
  const rows: string[][] = [];
  for (const s of subjects) {
    for (const t of tasks) {
      for (const c of headlineComparisons(s, t)) {
        const why = comparisonReasons(c);
        rows.push([
          s.id,
          `${t}.${c.metric}`,
          `${c.family}${c.primary ? '*' : ''}`,
          c.kind,
          num(c.baseline),
          `${signed(c.delta)} ${ci(c.deltaCi95)}`,
          RESULT_VERDICTS.has(c.verdict) ? `**${c.verdict}**` : c.verdict,
          why.join('; ') || '—',
        ]);
      }
    }
  }
  if (rows.length) out.push(...table(['model', 'task.metric', 'family', 'kind', 'baseline', 'delta [95% CI]', 'verdict', 'why'], rows), '');
  else out.push('No comparison for any headline metric.', '');
  for (const s of subjects) {
    const none = unavailableText(s, tasks);
    if (none) out.push(`- ${s.id}: no baseline scores for ${none}`);
  }
  out.push('');

  out.push('### Compute and the compute-optimal frontier', '');
  out.push(
    ...table(
      ['model', 'C (FLOPs)', 'N', 'D (tokens)', 'N/N_opt', 'D/D_opt', 'fitted range'],
      subjects.map((s) => {
        const f = s.frontier.find((x) => x.primary);
        return [
          s.id,
          sci(s.compute?.flops),
          sci(s.compute?.params),
          sci(s.compute?.tokens),
          f ? `${num(f.nRatio, 3)} (${f.objective.toUpperCase()})` : 'n/a',
          f ? num(f.dRatio, 3) : 'n/a',
          f ? (f.outsideFittedRange ? 'extrapolated' : 'inside') : 'n/a',
        ];
      }),
    ),
    '',
  );
  const notes = subjects.flatMap((s) => [
    ...(s.frontier.find((f) => f.primary && f.outsideFittedRange)?.rangeNote
      ? [`${s.id}: ${s.frontier.find((f) => f.primary)!.rangeNote}`]
      : []),
    ...(s.matched?.notes ?? []).map((n) => `${s.id}: ${n}`),
  ]);
  for (const n of notes) out.push(`- ${n}`);
  if (notes.length) out.push('');

  out.push(
    '<details><summary>Runs, protocols and data hashes</summary>',
    '',
    'Short protocol settings only; the run JSON and the HTML report hold the whole protocol.',
    '',
  );
  for (const s of subjects) {
    out.push(
      `**${s.id}** — ${s.source.kind} \`${s.source.file}\`${s.source.sha256 ? ` (sha256 \`${s.source.sha256.slice(0, 16)}\`)` : ''}; run ${s.source.runId ?? '?'}; model sha256 \`${s.modelSha256?.slice(0, 16) ?? '?'}\`; harness ${s.source.harness ?? '?'}`,
      '',
    );
    out.push(`- ${computeText(s)}`);
    for (const t of tasks) {
      const r = s.tasks[t];
      if (!r) continue;
      const strategy = r.protocol
        ? Object.entries(r.protocol)
            .filter(([, v]) => (typeof v === 'string' && v.length <= 40) || typeof v === 'number' || typeof v === 'boolean')
            .slice(0, 8)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')
        : '';
      const files = (r.data ?? []).map((d) => `${d.file} (${d.rows} rows, \`${d.sha256.slice(0, 12)}\`)`).join(', ');
      out.push(`- ${t} ${r.version ?? ''}: ${r.status}${strategy ? `; protocol ${strategy}` : ''}${files ? `; data ${files}` : ''}`);
    }
    out.push('');
  }
  for (const d of data.matchedData)
    out.push(
      `- matched-compute data (${String(d.from)}): ${Object.entries(d)
        .filter(([k]) => k !== 'from')
        .map(([k, v]) => `${k} \`${sha12(v)}\``)
        .join(', ')}`,
    );
  out.push('', '</details>', '', `<sub>${cell(generator)}</sub>`, '');
  return out.join('\n');
}

/** The first 12 hex digits of a data record's sha256, or '' when it has none. */
function sha12(v: unknown): string {
  const sha = (v as { sha256?: unknown } | null)?.sha256;
  return typeof sha === 'string' ? sha.slice(0, 12) : '';
}
