import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { stableStringify } from '../../util/json.js';
import { gateRuns, type GateReport } from '../../report/gate.js';
import { DEFAULT_GATE_CONFIG, loadGateConfig } from '../../report/gate-config.js';
import { runsDirections } from '../../report/matched-compute.js';
import { readRunFile } from '../../scaling/index.js';
import { formatNumber, table } from '../format.js';
import type { CliIo } from '../io.js';
import { parseInteger } from '../options.js';

export const GATE_HELP = `bench gate --baseline a.json --current b.json   fail CI on a score regression (exit 1)
  per task and metric, a paired bootstrap over the items both runs scored; a regression is a change
  whose 95% interval lies entirely below -tolerance (in the metric's direction).
  Exit 0: no regression; 1: regression (table of what regressed); 4: the baseline is from another
  version of a task ("baseline is from task version X ...: refresh it"); 2: unusable input, including runs
  that did not measure the same thing: another tier, smoke runs of another seed, other task options,
  or another protocol.strategy / protocol.source of a task.

  --baseline PATH       the stored run to compare with (e.g. a cached smoke run of the main branch)
  --current PATH        the run under test
  --config PATH         tolerances (default results/gate.config.json; schema results/schema/gate-config.schema.json)
  --json                print the machine-readable comparison to stdout
  --seed N              seed of the bootstrap (default 0)
  --tasks-dir DIR       task plugins for metric directions the runs do not record (repeatable)
`;

export async function gateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      baseline: { type: 'string' },
      current: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      seed: { type: 'string', default: '0' },
      'tasks-dir': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(GATE_HELP);
    return 0;
  }
  if (!values.baseline) throw new BenchError('E_USAGE', '--baseline: required (the stored run JSON to compare with)');
  if (!values.current) throw new BenchError('E_USAGE', '--current: required (the run JSON under test)');
  const seed = parseInteger('--seed', values.seed, 0);
  const config = loadGateConfig(values.config ? resolve(io.cwd, values.config) : DEFAULT_GATE_CONFIG);
  const baseline = readRunFile(resolve(io.cwd, values.baseline), values.baseline);
  const current = readRunFile(resolve(io.cwd, values.current), values.current);
  const direction = await runsDirections(
    [baseline, current],
    (values['tasks-dir'] ?? []).map((d) => resolve(io.cwd, d)),
  );
  const report = gateRuns(baseline, current, { config, seed, direction });
  if (values.json) io.stdout(stableStringify(report, 2) + '\n');
  else io.stdout(formatGate(report));
  return report.passed ? 0 : 1;
}

export function formatGate(r: GateReport): string {
  const lines: string[] = [];
  lines.push(
    `bench gate: baseline ${r.baseline.model} (${r.baseline.path}, ${r.baseline.tier}) vs current ${r.current.model} (${r.current.path}, ${r.current.tier})`,
  );
  lines.push(
    `tolerances ${r.config.file}; paired bootstrap, ${r.config.resamples} resamples, ${Math.round((1 - r.config.alpha) * 100)}% interval, seed ${r.seed}`,
  );
  lines.push('');
  const rows = [['task', 'metric', 'dir', 'n', 'baseline', 'current', 'diff [95% CI]', 'tolerance', 'status']];
  for (const x of r.rows) {
    rows.push([
      x.task,
      x.metric,
      x.higherIsBetter === null ? '?' : x.higherIsBetter ? 'up' : 'down',
      String(x.n),
      formatNumber(x.baselineMean ?? x.aggregate.baseline),
      formatNumber(x.currentMean ?? x.aggregate.current),
      x.diff === null
        ? '-'
        : `${x.diff >= 0 ? '+' : ''}${formatNumber(x.diff)} ${x.ci95 ? `[${formatNumber(x.ci95[0])}, ${formatNumber(x.ci95[1])}]` : '(no interval)'}`,
      x.tolerance === null ? '-' : `${formatNumber(x.tolerance)} (${x.rule})`,
      x.status === 'regression' ? 'REGRESSION' : x.status,
    ]);
  }
  lines.push(table(rows).trimEnd());
  for (const t of r.tasks.filter((t) => t.status !== 'compared'))
    lines.push(`task ${t.task}: ${t.status}${t.reason ? ` (${t.reason})` : ''}${t.regression ? ' — REGRESSION' : ''}`);
  lines.push('');
  if (r.passed) lines.push('gate passed: no regression beyond tolerance');
  else {
    lines.push(`gate FAILED: ${r.regressions.length} regression(s):`);
    const regRows = [['task', 'metric', 'diff [95% CI]', 'tolerance']];
    for (const x of r.rows.filter((x) => x.status === 'regression')) {
      regRows.push([
        x.task,
        x.metric,
        x.note ?? `${formatNumber(x.diff)} [${formatNumber(x.ci95![0])}, ${formatNumber(x.ci95![1])}]`,
        x.note ? '-' : formatNumber(x.tolerance),
      ]);
    }
    for (const t of r.tasks.filter((t) => t.regression)) regRows.push([t.task, '(task)', t.reason ?? '', '-']);
    lines.push(table(regRows).trimEnd());
  }
  return lines.join('\n') + '\n';
}
