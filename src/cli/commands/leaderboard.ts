import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { assertWritable, writeFileAtomic } from '../../util/fs.js';
import { harnessInfo } from '../../report/harness.js';
import { buildLeaderboard, serializeLeaderboard, type Leaderboard } from '../../report/leaderboard.js';
import { loadMatchedComputeData, runsDirections } from '../../report/matched-compute.js';
import { readRunFile, type Comparison } from '../../scaling/index.js';
import { formatNumber, table } from '../format.js';
import type { CliIo } from '../io.js';

export const LEADERBOARD_HELP = `bench leaderboard <run.json>... [--out leaderboard.json]   rank runs, with matched-compute deltas
  one JSON (results/schema/leaderboard.schema.json), one entry per model: compute, N/N_opt, per-task
  headline metrics with intervals and ranks, matched-compute deltas against ESM-2 and ProGen2.
  Refuses runs whose task versions, data files, tiers, smoke-tier seeds or task options differ, or
  whose protocol.source (any runs) or protocol.strategy (runs of one objective) of a task differ (exit 2).

  --out PATH            write the leaderboard JSON there (validated, atomic); without it the JSON goes to stdout
  --registry PATH       registered baseline runs (default results/baselines/registered.json)
  --tasks-dir DIR       task plugins for metric directions the runs do not record (repeatable)
  --quiet               no summary table on stderr
`;

export async function leaderboardCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      registry: { type: 'string' },
      'tasks-dir': { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(LEADERBOARD_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new BenchError('E_USAGE', 'bench leaderboard: give one or more run JSON files');
  const out = values.out ? resolve(io.cwd, values.out) : null;
  if (out) assertWritable(out, '--out');
  const runs = positionals.map((p) => readRunFile(resolve(io.cwd, p), p));
  const data = loadMatchedComputeData(values.registry ? resolve(io.cwd, values.registry) : undefined);
  const direction = await runsDirections(runs, (values['tasks-dir'] ?? []).map((d) => resolve(io.cwd, d)));
  const h = harnessInfo();
  const board = buildLeaderboard({ runs, ...data, harness: { version: h.version, commit: h.commit }, direction });
  const text = serializeLeaderboard(board);
  if (out) {
    writeFileAtomic(out, text);
    if (!values.quiet) io.stderr(formatLeaderboard(board) + `bench: wrote ${out}\n`);
  } else {
    io.stdout(text);
    if (!values.quiet) io.stderr(formatLeaderboard(board));
  }
  return 0;
}

/** A readable summary: per task and headline metric, the ranking with compute and the primary matched-compute delta. */
export function formatLeaderboard(board: Leaderboard): string {
  const lines: string[] = [];
  for (const [task, t] of Object.entries(board.tasks)) {
    for (const r of t.rankings) {
      lines.push(`${task} (v${t.version}, ${t.tier}) — ${r.metric} (${r.higherIsBetter === null ? r.reason : r.higherIsBetter ? 'higher is better' : 'lower is better'})`);
      const rows = [['rank', 'model', r.metric, 'C (FLOPs)', 'N/N_opt', 'matched-compute delta (own family first)']];
      for (const o of r.order) {
        const e = board.entries.find((x) => x.id === o.id)!;
        const mine = e.matchedCompute.comparisons.filter((x) => x.task === task && x.metric === r.metric);
        const c = mine.find((x) => x.primary) ?? mine[0];
        const delta = c
          ? c.verdict === 'not-comparable'
            ? `not comparable (published, different data); for orientation: ${signed(c.delta)} vs ${against(c)}`
            : `${signed(c.delta)} ${ci(c.deltaCi95)} vs ${against(c)}`
          : e.compute.flops === null
            ? 'compute unknown'
            : 'no baseline scores';
        rows.push([String(o.rank), o.id, `${formatNumber(o.value)} ${ci(o.ci95)}`, e.compute.flops === null ? '-' : e.compute.flops.toExponential(2).replace('e+', 'e'), e.nOverNopt === null ? '-' : `${formatNumber(e.nOverNopt, 3)}${e.outsideFittedRange ? " (outside the laws' fitted range)" : ''}`, delta]);
      }
      lines.push(table(rows).trimEnd(), '');
    }
  }
  return lines.join('\n') + '\n';
}

function against(c: Comparison): string {
  return `${c.family}${c.primary ? '' : ' (other objective)'} ${formatNumber(c.baseline)} (${c.kind}${c.clamped ? `, clamped ${c.clamped}: ${c.lower.id}` : `, ${c.lower.id}..${c.upper.id}`})`;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${formatNumber(x)}`;
}

function ci(c: [number | null, number | null] | null): string {
  return c ? `[${formatNumber(c[0])}, ${formatNumber(c[1])}]` : '';
}
