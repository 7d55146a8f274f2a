import { loadBaselineRegistry, loadScalingLaws } from '../scaling/index.js';
import { computeChartSpec, frontierChartSpec, itemChartSpec, renderSvg } from './charts.js';
import { taskNames, type ReportData, type ReportSubject } from './report-data.js';
import { ci, comparisonReasons, computeText, headlineComparisons, num, RESULT_VERDICTS, sci, signed } from './summary-text.js';

export function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;line-height:1.4;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f4f4}td.num{font-variant-numeric:tabular-nums}.muted{color:#666;font-size:12px}
.v-better{color:#1a7f37;font-weight:bold}.v-worse{color:#cf222e;font-weight:bold}.v-indistinguishable{font-weight:bold}
figure.chart{margin:12px 0}figure.chart svg{max-width:100%;height:auto}
details{margin:12px 0}summary{cursor:pointer;font-weight:bold}pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px}
code{font-size:12px}
`;

function tableHtml(head: string[], rows: string[][], numericFrom = 1): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function metricHtml(s: ReportSubject, task: string, metric: string): string {
  const t = s.tasks[task];
  if (!t) return '—';
  if (t.status !== 'ok') return esc(`${t.status}${t.reason ? `: ${t.reason}` : ''}`);
  const m = t.metrics[metric];
  if (!m) return '—';
  return `${esc(num(m.value))} <span class="muted">${esc(ci(m.ci95))} n=${esc(m.n ?? 'n/a')}</span>`;
}

async function figure(spec: Parameters<typeof renderSvg>[0] | null, caption: string): Promise<string> {
  if (!spec) return '';
  const svg = await renderSvg(spec);
  return `<figure class="chart" data-chart="${esc(caption)}">${svg}</figure>`;
}

/**
 * The HTML report: one self-contained file (inline CSS, charts as inline SVG rendered at report time,
 * no script, no font, image or stylesheet from anywhere), so it works offline and with scripts disabled.
 */
export async function renderHtml(data: ReportData, generator: string): Promise<string> {
  const { subjects } = data;
  const laws = loadScalingLaws();
  const registry = loadBaselineRegistry();
  const tasks = taskNames(subjects);
  const parts: string[] = [];
  const ids = subjects.map((s) => s.id);
  parts.push(
    `<h1>plmbench report</h1><p class="muted">${esc(ids.join(', '))} · tier ${esc([...new Set(subjects.map((s) => s.source.tier ?? '?'))].join(', '))} · ${esc(generator)}</p>`,
  );

  parts.push('<h2>Summary</h2><p>Headline metric of each task with its 95% bootstrap interval and number of items.</p>');
  parts.push(
    tableHtml(
      ['task', 'metric', ...ids],
      tasks.map((t) => {
        const h = subjects.map((s) => s.tasks[t]?.headline).find(Boolean) ?? '';
        return [
          `<a href="#task-${esc(t)}">${esc(t)}</a>`,
          esc(h || '-'),
          ...subjects.map(
            (s) =>
              `${metricHtml(s, t, s.tasks[t]?.headline ?? h)}${s.tasks[t]?.rank ? ` <span class="muted">#${s.tasks[t].rank}</span>` : ''}`,
          ),
        ];
      }),
      2,
    ),
  );

  parts.push('<h2>Compute and the compute-optimal frontier</h2>');
  parts.push(
    tableHtml(
      ['model', 'objective', 'C (FLOPs)', 'N (non-embedding)', 'D (tokens)', 'N/N_opt', 'D/D_opt', 'N_opt', 'D_opt', 'fitted range'],
      subjects.map((s) => {
        const f = s.frontier.find((x) => x.primary);
        return [
          esc(s.id),
          esc(s.objective ?? '?'),
          esc(sci(s.compute?.flops)),
          esc(sci(s.compute?.params)),
          esc(sci(s.compute?.tokens)),
          esc(f ? num(f.nRatio, 3) : 'n/a'),
          esc(f ? num(f.dRatio, 3) : 'n/a'),
          esc(f ? sci(f.nOpt) : 'n/a'),
          esc(f ? sci(f.dOpt) : 'n/a'),
          esc(f ? (f.outsideFittedRange ? 'extrapolated' : 'inside') : 'n/a'),
        ];
      }),
      2,
    ),
  );
  for (const s of subjects) {
    const f = s.frontier.find((x) => x.primary);
    if (f?.outsideFittedRange && f.rangeNote) parts.push(`<p class="muted">${esc(s.id)}: ${esc(f.rangeNote)}</p>`);
  }
  parts.push(await figure(frontierChartSpec(subjects, laws, registry), 'frontier'));

  for (const t of tasks) {
    parts.push(`<h2 id="task-${esc(t)}">${esc(t)}</h2>`);
    const metrics = [...new Set(subjects.flatMap((s) => Object.keys(s.tasks[t]?.metrics ?? {})))];
    const headline = subjects.map((s) => s.tasks[t]?.headline).find(Boolean);
    metrics.sort((a, b) => Number(b === headline) - Number(a === headline) || (a < b ? -1 : 1));
    const metricRow = (m: string) => [
      `${esc(m)}${m === headline ? ' <span class="muted">(headline)</span>' : ''}`,
      ...subjects.map((s) => metricHtml(s, t, m)),
    ];
    if (metrics.length) parts.push(tableHtml(['metric', ...ids], metrics.slice(0, 1).map(metricRow)));
    if (metrics.length > 1)
      parts.push(
        `<details><summary>all ${metrics.length} metrics</summary>${tableHtml(['metric', ...ids], metrics.map(metricRow))}</details>`,
      );
    else
      parts.push(
        `<p>${subjects.map((s) => esc(`${s.id}: ${s.tasks[t]?.status ?? 'absent'}${s.tasks[t]?.reason ? ` (${s.tasks[t].reason})` : ''}`)).join('<br>')}</p>`,
      );
    const rows: string[][] = [];
    for (const s of subjects) {
      for (const c of headlineComparisons(s, t)) {
        rows.push([
          esc(s.id),
          esc(`${c.family}${c.primary ? ' *' : ''}`),
          esc(c.kind),
          esc(num(c.baseline)),
          esc(`${signed(c.delta)} ${ci(c.deltaCi95)}`),
          `<span class="v-${esc(c.verdict)}">${esc(c.verdict)}</span>`,
          esc(comparisonReasons(c).join('; ') || (RESULT_VERDICTS.has(c.verdict) ? '' : '—')),
        ]);
      }
      for (const u of s.matched?.unavailable ?? [])
        if (u.task === t && (u.metric === null || u.metric === headline))
          rows.push([esc(s.id), esc(u.family), '—', '—', '—', 'unavailable', esc(u.reason)]);
    }
    if (rows.length)
      parts.push(
        `<h3>Matched compute (${esc(headline ?? '')})</h3>`,
        tableHtml(['model', "family (* = model's objective)", 'kind', 'baseline at C', 'delta [95% CI]', 'verdict', 'why'], rows, 3),
      );
    parts.push(await figure(computeChartSpec(t, subjects, laws), `compute-${t}`));
    parts.push(await figure(itemChartSpec(t, subjects, registry), `items-${t}`));
  }

  parts.push('<details><summary>Runs, protocols and data hashes</summary>');
  parts.push(
    tableHtml(
      ['input', 'kind', 'sha256'],
      data.files.map((f) => [esc(f.path), esc(f.kind), `<code>${esc(f.sha256)}</code>`]),
      3,
    ),
  );
  for (const s of subjects) {
    parts.push(
      `<h3>${esc(s.id)}</h3><p>${esc(s.source.kind)} <code>${esc(s.source.file)}</code>${s.source.sha256 ? ` sha256 <code>${esc(s.source.sha256)}</code>` : ''}<br>run ${esc(s.source.runId ?? '?')} · seed ${esc(s.source.seed ?? '?')} · harness ${esc(s.source.harness ?? '?')}${s.ep ? ` · ${esc(s.ep)}` : ''}<br>model sha256 <code>${esc(s.modelSha256 ?? '?')}</code><br>${esc(computeText(s))}</p>`,
    );
    for (const n of s.matched?.notes ?? []) parts.push(`<p class="muted">note: ${esc(n)}</p>`);
    for (const t of tasks) {
      const r = s.tasks[t];
      if (!r || (!r.protocol && !r.data)) continue;
      parts.push(`<p><b>${esc(t)}</b> ${esc(r.version ?? '')}</p>`);
      if (r.data?.length)
        parts.push(
          tableHtml(
            ['file', 'rows', 'sha256'],
            r.data.map((d) => [esc(d.file), esc(d.rows), `<code>${esc(d.sha256)}</code>`]),
            1,
          ),
        );
      if (r.protocol) parts.push(`<pre>${esc(JSON.stringify(r.protocol, null, 2))}</pre>`);
    }
  }
  for (const d of data.matchedData) parts.push(`<pre>${esc(JSON.stringify(d, null, 2))}</pre>`);
  parts.push('</details>');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>plmbench report: ${esc(ids.join(', '))}</title><style>${STYLE}</style></head>
<body>
${parts.filter(Boolean).join('\n')}
</body></html>
`;
}
