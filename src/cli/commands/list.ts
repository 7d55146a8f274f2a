import { parseArgs } from 'node:util';
import { resolveTasks } from '../../task/registry.js';
import type { CliIo } from '../io.js';
import { table } from '../format.js';

export const LIST_HELP = `bench list [--json] [--tasks-dir DIR]...   tasks, what each needs, versions, data hashes\n`;

export async function listCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'tasks-dir': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(LIST_HELP);
    return 0;
  }
  const tasks = await resolveTasks(null, values['tasks-dir'] ?? []);
  const described = tasks.map((t) => ({
    name: t.module.name,
    version: t.module.version,
    needs: t.module.needs,
    needsAnyOf: t.module.needsAnyOf ?? [],
    dir: t.dir,
    ...t.module.describe(),
  }));
  if (values.json) {
    io.stdout(JSON.stringify(described, null, 2) + '\n');
    return 0;
  }
  const rows = [['task', 'version', 'needs', 'headline', 'data files']];
  for (const d of described) {
    const needs = [...d.needs, ...d.needsAnyOf.map((g) => g.join('|'))].join(', ');
    rows.push([d.name, d.version, needs, d.headline, `${d.data.length} (${d.data.reduce((s, f) => s + f.rows, 0)} rows)`]);
  }
  io.stdout(table(rows));
  for (const d of described) {
    io.stdout(`\n${d.name}: ${d.title}\n`);
    for (const m of d.metrics) io.stdout(`  metric ${m.name} (${m.higherIsBetter ? 'higher' : 'lower'} is better): ${m.description}\n`);
    for (const o of d.options ?? []) io.stdout(`  --option ${d.name}.${o.key}=${o.values} (default ${o.default}): ${o.description}\n`);
    io.stdout(`  tiers: smoke = ${d.tiers.smoke}; full = ${d.tiers.full}\n`);
    for (const f of d.data) io.stdout(`  data ${f.file} sha256 ${f.sha256.slice(0, 16)}... rows ${f.rows}\n`);
  }
  return 0;
}
