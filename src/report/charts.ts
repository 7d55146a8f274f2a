import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { dOpt, nOpt, registryCompute, type BaselineRegistry, type ScalingLaws } from '../scaling/index.js';
import type { ReportSubject } from './report-data.js';
import { headlineComparisons, num, sci } from './summary-text.js';

/**
 * Charts as Vega-Lite specs, compiled and rendered to static SVG in Node by `vega` (renderer "none",
 * view.toSVG()): no DOM, no canvas and no browser at report time, and the SVG needs no script to show.
 * Data is always inline; the loader refuses every URL so a spec can never reach the network.
 */

const FAMILY_TITLE: Record<string, string> = { esm2: 'ESM-2 (masked)', progen2: 'ProGen2 (causal)' };
const familyTitle = (f: string) => FAMILY_TITLE[f] ?? f;

const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  title: { fontSize: 13, anchor: 'start' as const },
};

const offline = (() => {
  const l = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`report charts load no data (${uri})`);
  };
  l.load = refuse;
  l.sanitize = refuse;
  l.http = refuse;
  l.file = refuse;
  return l;
})();

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none', loader: offline });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function logDomain(values: number[]): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return [10 ** Math.floor(Math.log10(lo) - 0.2), 10 ** Math.ceil(Math.log10(hi) + 0.2)];
}

/**
 * Score against training compute for one task's headline metric: each baseline family's points and
 * curve (as the matched comparison used them), every model with its 95% interval, the laws' fitted
 * compute range shaded, and a rule at each model's compute labelled with the compute-optimal allocation
 * (N_opt, D_opt) under its objective's law. Null when no subject has a value or compute for the task.
 */
export function computeChartSpec(task: string, subjects: ReportSubject[], laws: ScalingLaws): TopLevelSpec | null {
  const headline = subjects.map((s) => s.tasks[task]?.headline).find(Boolean);
  if (!headline) return null;
  const models = subjects
    .filter((s) => s.compute?.flops && s.tasks[task]?.status === 'ok' && s.tasks[task].headline === headline)
    .map((s) => ({ s, m: s.tasks[task]!.metrics[headline] }))
    .filter((x) => x.m && x.m.value !== null);
  const curves = new Map<string, { family: string; id: string; flops: number; score: number; kind: string }[]>();
  for (const s of subjects) {
    for (const c of headlineComparisons(s, task)) {
      if (c.metric !== headline || curves.has(c.family) || !Array.isArray(c.curve)) continue;
      curves.set(
        c.family,
        c.curve
          .filter((p) => Number.isFinite(p.flops) && Number.isFinite(p.score))
          .map((p) => ({ family: familyTitle(c.family), id: p.id, flops: p.flops, score: p.score, kind: c.kind })),
      );
    }
  }
  const curvePts = [...curves.values()].flat();
  if (models.length === 0 && curvePts.length === 0) return null;
  const modelPts = models.map(({ s, m }) => ({
    model: s.id,
    flops: s.compute!.flops!,
    score: m!.value!,
    lo: m!.ci95?.[0] ?? m!.value!,
    hi: m!.ci95?.[1] ?? m!.value!,
    ci: m!.ci95 ? `[${num(m!.ci95[0])}, ${num(m!.ci95[1])}]` : 'no interval',
  }));
  const optimal = models.map(({ s }) => {
    const C = s.compute!.flops!;
    const law = laws.laws[s.objective ?? 'mlm'];
    return {
      model: s.id,
      flops: C,
      label: `${s.id}: C = ${sci(C)}; optimal N = ${sci(nOpt(law, C))}, D = ${sci(dOpt(law, C))} (${(s.objective ?? 'mlm').toUpperCase()} law)`,
    };
  });
  const [flo, fhi] = fittedFlops(laws);
  const domain = logDomain([...curvePts.map((p) => p.flops), ...modelPts.map((p) => p.flops), flo, fhi]);
  const x = {
    field: 'flops',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain },
    axis: { title: 'training compute C = 6ND (FLOPs)', format: '.0e', tickCount: 8 },
  };
  const y = { field: 'score', type: 'quantitative' as const, scale: { zero: false }, title: `${task}.${headline}` };
  const kinds = [...new Set(curvePts.map((p) => p.kind))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${task}: ${headline} vs training compute`,
      subtitle: curvePts.length
        ? `baseline points: ${kinds.join(', ')} scores; shaded: the laws' fitted compute range`
        : "no baseline curve for this metric; shaded: the laws' fitted compute range",
    },
    width: 640,
    height: 300,
    layer: [
      {
        data: { values: [{ a: flo, b: fhi }] },
        mark: { type: 'rect', color: '#9ecae1', opacity: 0.25 },
        encoding: { x: { ...x, field: 'a' }, x2: { field: 'b' } },
      },
      ...(curvePts.length
        ? [
            {
              data: { values: curvePts },
              mark: { type: 'line' as const, point: { filled: true, size: 45 }, strokeWidth: 1.5 },
              encoding: {
                x,
                y,
                color: {
                  field: 'family',
                  type: 'nominal' as const,
                  title: 'baseline family',
                  scale: { range: ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'] },
                },
                tooltip: [{ field: 'id' }, { field: 'score' }],
              },
            },
            {
              data: { values: curvePts },
              mark: { type: 'text' as const, dy: -9, fontSize: 9, color: '#555' },
              encoding: { x, y, text: { field: 'id' } },
            },
          ]
        : []),
      ...(optimal.length
        ? [
            { data: { values: optimal }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#777' }, encoding: { x } },
            ...optimal.map((o, i) => ({
              data: { values: [o] },
              mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, fontSize: 10, color: '#333' },
              encoding: { x: { value: 6 }, y: { value: 4 + 13 * i }, text: { field: 'label' } },
            })),
          ]
        : []),
      ...(modelPts.length
        ? [
            {
              data: { values: modelPts },
              mark: { type: 'rule' as const, strokeWidth: 2, color: '#d62728' },
              encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
            },
            {
              data: { values: modelPts },
              mark: { type: 'point' as const, filled: true, size: 90, color: '#d62728' },
              encoding: {
                x,
                y,
                shape: { field: 'model', type: 'nominal' as const, title: 'model (95% CI)' },
                tooltip: [{ field: 'model' }, { field: 'score' }, { field: 'ci' }],
              },
            },
          ]
        : []),
    ],
  } as unknown as TopLevelSpec;
}

/**
 * The compute-optimal frontier: N_opt(C) of both laws over the chart's compute range, the laws' fitted
 * range shaded, the registry's baseline models and the report's models at (C, N).
 */
export function frontierChartSpec(subjects: ReportSubject[], laws: ScalingLaws, registry: BaselineRegistry): TopLevelSpec | null {
  const models = subjects
    .filter((s) => s.compute?.flops && s.compute.params)
    .map((s) => ({
      name: s.id,
      group: 'model',
      flops: s.compute!.flops!,
      params: s.compute!.params,
      ratio: s.frontier.find((f) => f.primary)?.nRatio ?? null,
    }));
  if (models.length === 0) return null;
  const base = registry.models
    .map((m) => ({ m, c: registryCompute(m) }))
    .filter((x) => x.c && x.c.flops && registry.families[x.m.family]?.objective)
    .map(({ m, c }) => ({ name: m.id, group: familyTitle(m.family), flops: c!.flops!, params: c!.params }));
  const domain = logDomain([...models.map((m) => m.flops), ...base.map((b) => b.flops), ...fittedFlops(laws)]);
  const lines: { law: string; flops: number; params: number }[] = [];
  for (const obj of ['mlm', 'clm'] as const) {
    for (let e = Math.log10(domain[0]); e <= Math.log10(domain[1]) + 1e-9; e += 0.25)
      lines.push({ law: `N_opt(C), ${obj.toUpperCase()} law`, flops: 10 ** e, params: nOpt(laws.laws[obj], 10 ** e) });
  }
  const x = {
    field: 'flops',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain },
    axis: { title: 'training compute C (FLOPs)', format: '.0e', tickCount: 8 },
  };
  const y = {
    field: 'params',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: { title: 'non-embedding parameters N', format: '.0e' },
  };
  const [flo, fhi] = fittedFlops(laws);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Position against the compute-optimal frontier',
      subtitle: 'lines: N_opt(C) of each law; shaded: fitted compute range (outside it the laws are extrapolated)',
    },
    width: 640,
    height: 320,
    layer: [
      {
        data: { values: [{ a: flo, b: fhi }] },
        mark: { type: 'rect', color: '#9ecae1', opacity: 0.25 },
        encoding: { x: { ...x, field: 'a' }, x2: { field: 'b' } },
      },
      {
        data: { values: lines },
        mark: { type: 'line', strokeDash: [6, 3] },
        encoding: { x, y, color: { field: 'law', type: 'nominal', title: 'law', scale: { range: ['#1f77b4', '#ff7f0e'] } } },
      },
      {
        data: { values: base },
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y,
          shape: { field: 'group', type: 'nominal', title: 'baselines' },
          color: { value: '#555' },
          tooltip: [{ field: 'name' }],
        },
      },
      {
        data: { values: models },
        mark: { type: 'point', filled: true, size: 110, color: '#d62728' },
        encoding: { x, y, tooltip: [{ field: 'name' }, { field: 'ratio', title: 'N/N_opt' }] },
      },
      {
        data: { values: models },
        mark: { type: 'text', dx: 8, align: 'left', fontSize: 11, color: '#d62728' },
        encoding: { x, y, text: { field: 'name' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/**
 * Per-item values of a task's headline metric (e.g. Spearman per assay, precision per protein): one
 * bar per item and model, and, where the run carries same-data baseline values per item, the baseline
 * models' values as points coloured by family. Null when no subject has per-item values.
 */
export function itemChartSpec(task: string, subjects: ReportSubject[], registry: BaselineRegistry, maxItems = 60): TopLevelSpec | null {
  const headline = subjects.map((s) => s.tasks[task]?.headline).find(Boolean);
  if (!headline) return null;
  const bars: { item: string; model: string; value: number }[] = [];
  const dots: { item: string; baseline: string; family: string; value: number }[] = [];
  const familyOf = new Map(registry.models.map((m) => [m.id, familyTitle(m.family)]));
  for (const s of subjects) {
    const t = s.tasks[task];
    if (!t?.items || t.headline !== headline) continue;
    for (const it of t.items) {
      const v = it.metrics[headline];
      if (typeof v === 'number' && Number.isFinite(v)) bars.push({ item: it.id, model: s.id, value: v });
    }
    for (const b of t.baselines ?? []) {
      if (b.kind !== 'same-data' || !b.items) continue;
      for (const [bid, perItem] of Object.entries(b.items)) {
        for (const [item, ms] of Object.entries(perItem)) {
          const v = ms[headline];
          if (typeof v === 'number' && Number.isFinite(v) && !dots.some((d) => d.item === item && d.baseline === bid))
            dots.push({ item, baseline: bid, family: familyOf.get(bid) ?? bid, value: v });
        }
      }
    }
  }
  const items = [...new Set(bars.map((b) => b.item))];
  if (items.length === 0 || items.length > maxItems) return null;
  // Items whose values are all 0 or 1 (a per-protein accuracy of one domain) make a chart of nothing.
  if (bars.every((b) => b.value === 0 || b.value === 1)) return null;
  const keep = new Set(items);
  const y = { field: 'item', type: 'nominal' as const, sort: items, title: null, axis: { labelLimit: 260 } };
  const x = { field: 'value', type: 'quantitative' as const, title: headline };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${task}: ${headline} per item`,
      subtitle: dots.length ? 'bars: the model(s); points: published baseline values on the same items' : 'bars: the model(s)',
    },
    width: 560,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', opacity: 0.85 },
        encoding: {
          y,
          x,
          yOffset: { field: 'model' },
          color: { field: 'model', type: 'nominal', title: 'model', scale: { scheme: 'reds' } },
        },
      },
      ...(dots.length
        ? [
            {
              data: { values: dots.filter((d) => keep.has(d.item)) },
              mark: { type: 'point' as const, filled: false, size: 40, strokeWidth: 1.5, shape: 'diamond' },
              encoding: {
                y,
                x,
                color: {
                  field: 'family',
                  type: 'nominal' as const,
                  title: 'baseline models',
                  scale: { range: ['#1f77b4', '#ff7f0e', '#2ca02c'] },
                },
                tooltip: [{ field: 'baseline' }, { field: 'value' }],
              },
            },
          ]
        : []),
    ],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The compute range the set's laws were fitted on, both objectives together (each law has its own). */
function fittedFlops(laws: ScalingLaws): [number, number] {
  const { mlm, clm } = laws.laws;
  return [Math.min(mlm.fittedRange.flops[0], clm.fittedRange.flops[0]), Math.max(mlm.fittedRange.flops[1], clm.fittedRange.flops[1])];
}
