import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { stableStringify } from '../../util/json.js';
import {
  displayPath,
  loadBaselineRegistry,
  loadRegisteredRuns,
  readRunFile,
  registeredFromRun,
  registeredRunsPath,
  saveRegisteredRuns,
  sci,
} from '../../scaling/index.js';
import { table } from '../format.js';
import type { CliIo } from '../io.js';

export const BASELINE_HELP = `bench baseline add|list|remove   register runs of baseline exports as same-data baselines
  bench baseline add run.json [--id ID] [--family F] [--replace]
      registers a run of a baseline model's ONNX export (e.g. ESM-2 8M exported with
      models/export): same-data for a task of a later run when the task's version, data files, tier
      (and smoke-tier seed), options, items and per-item n all match; otherwise a note says why.
      A registry id (esm2-8m, ..., progen2-xlarge: results/baselines/models.json) uses the registry's
      compute facts; another id needs --family (or the card's family) and compute from its card.
  bench baseline list [--json]
  bench baseline remove ID

  --registry PATH       the store (default $PLMBENCH_BASELINE_RUNS, $PLMBENCH_HOME/registered.json, a clone's
                        results/baselines/registered.json, else $XDG_DATA_HOME/plmbench/registered.json)
`;

export async function baselineCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      id: { type: 'string' },
      family: { type: 'string' },
      replace: { type: 'boolean', default: false },
      registry: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout(BASELINE_HELP);
    return 0;
  }
  if (!action) throw new BenchError('E_USAGE', 'baseline: give an action: add, list or remove (bench baseline --help)');
  const store = registeredRunsPath(values.registry ? resolve(io.cwd, values.registry) : undefined);
  const current = loadRegisteredRuns(store);
  if (action === 'list') {
    if (rest.length > 0) throw new BenchError('E_USAGE', `bench baseline list: unexpected argument "${rest[0]}"`);
    if (values.json) {
      io.stdout(
        stableStringify(
          current.runs.map((r) => ({
            id: r.id,
            family: r.family,
            objective: r.objective,
            flops: r.compute.flops,
            computeSource: r.computeSource,
            tier: r.run.tier,
            tasks: Object.fromEntries(Object.entries(r.tasks).map(([n, t]) => [n, t.version])),
          })),
          2,
        ) + '\n',
      );
      return 0;
    }
    const rows = [['id', 'family', 'objective', 'C (FLOPs)', 'compute from', 'tier', 'tasks (version)']];
    for (const r of current.runs) {
      rows.push([
        r.id,
        r.family,
        r.objective,
        r.compute.flops === null ? '-' : sci(r.compute.flops),
        r.computeSource,
        r.run.tier,
        Object.entries(r.tasks)
          .map(([n, t]) => `${n} ${t.version}`)
          .join(', '),
      ]);
    }
    io.stdout(`${current.runs.length} registered baseline run(s) in ${current.file}\n${table(rows)}`);
    return 0;
  }
  if (action === 'add') {
    if (rest.length !== 1) throw new BenchError('E_USAGE', 'bench baseline add: give exactly one run JSON');
    const file = readRunFile(resolve(io.cwd, rest[0]!));
    const registry = loadBaselineRegistry();
    const entry = registeredFromRun(file.run, file.sha256, registry, {
      ...(values.id ? { id: values.id } : {}),
      ...(values.family ? { family: values.family } : {}),
    });
    const clash = current.runs.find((r) => r.family === entry.family && r.objective !== entry.objective);
    if (clash)
      throw new BenchError(
        'E_USAGE',
        `family ${entry.family} already holds ${clash.id} (${clash.objective}); ${entry.id} is ${entry.objective}`,
      );
    const existing = current.runs.find((r) => r.id === entry.id);
    if (existing && !values.replace)
      throw new BenchError('E_USAGE', `baseline ${entry.id} is already registered (run ${existing.run.runId}); --replace to overwrite it`);
    const runs = [...current.runs.filter((r) => r.id !== entry.id), entry];
    saveRegisteredRuns(store, runs);
    io.stderr(
      `bench: registered ${entry.id} (${entry.family}, ${entry.objective}, C = ${sci(entry.compute.flops!)} FLOPs from the ${entry.computeSource}; ` +
        `tasks ${Object.entries(entry.tasks)
          .map(([n, t]) => `${n} ${t.version}`)
          .join(', ')}; ${entry.run.tier} tier) in ${displayPath(store)}\n`,
    );
    return 0;
  }
  if (action === 'remove') {
    if (rest.length !== 1) throw new BenchError('E_USAGE', 'bench baseline remove: give exactly one id');
    if (!current.runs.some((r) => r.id === rest[0]))
      throw new BenchError('E_USAGE', `no registered baseline "${rest[0]}" in ${current.file} (bench baseline list)`);
    saveRegisteredRuns(
      store,
      current.runs.filter((r) => r.id !== rest[0]),
    );
    io.stderr(`bench: removed ${rest[0]} from ${displayPath(store)}\n`);
    return 0;
  }
  throw new BenchError('E_USAGE', `bench baseline: unknown action "${action}" (add, list, remove)`);
}
