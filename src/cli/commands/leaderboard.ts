import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { assertWritable, writeFileAtomic } from '../../util/fs.js';
import { harnessInfo } from '../../report/harness.js';
import { buildLeaderboard, serializeLeaderboard, type Leaderboard } from '../../report/leaderboard.js';
import { loadMatchedComputeData, runsDirections } from '../../report/matched-compute.js';
import { readRunFile } from '../../scaling/index.js';
import { formatNumber, table } from '../format.js';
import type { CliIo } from '../io.js';

export const LEADERBOARD_HELP = `bench leaderboard <run.json>... [--out leaderboard.json]   rank runs in interval-aware groups, with matched-compute comparisons
  one JSON (results/schema/leaderboard.schema.json), one entry per model: compute, N/N_opt, per-task
  headline metrics with intervals and rank groups, matched-compute comparisons against ESM-2 and
  ProGen2 (baseline curves stored once). Ranks respect intervals: entries whose 95% intervals overlap
  the group leader's share its rank. Runs whose task versions, data files, tiers, smoke-tier seeds,
  task options, protocol.source (any runs), protocol.strategy (runs of one objective) or reference
  model (reference-dependent metrics) differ are ranked in separate tables of that task, each saying
  why; only two runs of one model id are refused (exit 2).

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
  const direction = await runsDirections(
    runs,
    (values['tasks-dir'] ?? []).map((d) => resolve(io.cwd, d)),
  );
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

/**
 * A readable summary: per task, each table (with why it is apart from the earlier ones), per headline
 * metric the rank groups with compute and the primary matched-compute comparison in words.
 */
export function formatLeaderboard(board: Leaderboard): string {
  const lines: string[] = [];
  for (const [task, { tables }] of Object.entries(board.tasks)) {
    for (const t of tables) {
      const tableName = tables.length > 1 ? `, table ${t.table} of ${tables.length}` : '';
      for (const r of t.rankings) {
        lines.push(
          `${task} (v${t.version}, ${t.tier}${tableName}) — ${r.metric} (${r.higherIsBetter === null ? r.reason : r.higherIsBetter ? 'higher is better' : 'lower is better'}; entries sharing a rank have overlapping 95% intervals with the group's leader)`,
        );
        for (const a of t.apart) lines.push(`  RANKED APART from table ${a.table}: ${a.detail}`);
        const rows = [['rank', 'model', `${r.metric} [95% CI]`, 'group', 'C (FLOPs)', 'N/N_opt', 'matched compute (own family first)']];
        for (const o of r.order) {
          const e = board.entries.find((x) => x.id === o.id)!;
          const group = o.leader === o.id ? 'leader' : `overlaps ${o.leader}`;
          rows.push([
            String(o.rank),
            o.id,
            `${formatNumber(o.value)} ${ci(o.ci95)}`,
            group,
            e.compute.flops === null ? '-' : e.compute.flops.toExponential(2).replace('e+', 'e'),
            e.nOverNopt === null
              ? '-'
              : `${formatNumber(e.nOverNopt, 3)}${e.outsideFittedRange ? " (outside the laws' fitted range)" : ''}`,
            o.versus,
          ]);
        }
        lines.push(table(rows).trimEnd(), '');
      }
      if (t.rankings.length === 0) {
        lines.push(`${task} (v${t.version}, ${t.tier}${tableName}) — ${t.ids.join(', ')}: no headline metric to rank`);
        for (const a of t.apart) lines.push(`  RANKED APART from table ${a.table}: ${a.detail}`);
        lines.push('');
      }
    }
  }
  return lines.join('\n') + '\n';
}

function ci(c: [number | null, number | null] | null): string {
  return c ? `[${formatNumber(c[0])}, ${formatNumber(c[1])}]` : '';
}
