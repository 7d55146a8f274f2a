/**
 * `npm run bench:perf`: speed and memory of the harness, written to results/perf/<date>.json and .md.
 *
 *   npm run bench:perf [-- --tier smoke|full] [--skip-tasks] [--skip-torch] [--skip-memory] [--skip-webgpu] [--rounds N]
 *
 * 1. Runner vs a plain loop of session.run on the same padded batches (tokens/s and their ratio), for the
 *    bundled masked example and an ESM-2 8M-shaped fixture (6 layers, 320 wide, 20 heads, random weights).
 * 2. Per task on the bundled masked and causal examples (each task in its own process, cache off): forward
 *    passes, tokens, padding fraction of the batches actually run, seconds, peak RSS.
 * 3. PyTorch eager (Debian's python3-torch, when present) doing the same masked-marginals scoring of one
 *    assay as the fitness task: ratio of wall times, and the two Spearman values (they must agree).
 * 4. Memory bounds: contacts on a 1,000-residue chain with the ESM-2 8M-shaped fixture; fitness on a
 *    synthetic assay of 5,000 and of 50,000 variants (peak RSS must not grow with the variants).
 * 5. WebGPU (test/perf/webgpu.ts): runner vs plain loop on the WebGPU provider, and tokens/s per batch
 *    token budget on WebGPU and CPU; skipped, with the reason, where WebGPU cannot start.
 * Ratios are measured in one run on one machine; absolute numbers depend on the machine's load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { buildTransformer, transformerParams } from '../../models/fixtures/transformer.js';
import { writeFixture } from '../../models/fixtures/write.js';
import { readFasta } from '../../src/bio/fasta.js';
import { packageRoot } from '../../src/util/paths.js';
import { stableStringify } from '../../src/util/json.js';
import type { TaskCost as RecordedTaskCost } from '../../src/task/execute.js';
import { runnerVsPlain, type ThroughputResult } from './runner-vs-plain.js';
import { perfSequences, webgpuMarkdown, webgpuSection } from './webgpu.js';
import { helixStructureFolder, syntheticAssay } from './synthetic.js';

const { values } = parseArgs({
  options: {
    tier: { type: 'string', default: 'full' },
    'skip-tasks': { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    'skip-webgpu': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '0' },
  },
});
const tier = values.tier;
const bin = join(packageRoot, 'bin', 'bench.js');
const work = mkdtempSync(join(tmpdir(), 'plmbench-perf-'));
const examples = { mlm: join(packageRoot, 'models', 'plm-mlm-mini.onnx'), clm: join(packageRoot, 'models', 'plm-clm-mini.onnx') };
const log = (s: string) => process.stderr.write(`${s}\n`);

function esm8mShaped(): string {
  const spec = { layout: 'mlm' as const, layers: 6, dim: 320, heads: 20, ffn: 1280, maxLength: 1026, seed: 'esm2-8m-shape' };
  const p = transformerParams(spec);
  return writeFixture(join(work, 'fixtures'), 'esm2-8m-shape', buildTransformer(spec), {
    id: 'esm2-8m-shape',
    objective: 'mlm',
    vocab: 'esm',
    maxLength: 1026,
    params: p.nonEmbedding,
    paramsTotal: p.total,
    trainTokens: 1e6,
  });
}

/** A task's recorded cost (without `cached`: the cache is off), with what the perf report adds. */
interface TaskCost extends Omit<RecordedTaskCost, 'cached'> {
  model: string;
  task: string;
  status: string;
  paddingFraction: number;
  wallSeconds: number;
}

/**
 * One task in its own process, so peak RSS is that task's. `taskTier` overrides the run's tier where a
 * measurement needs every item (smoke subsets would skip the long chain or part of the assay).
 */
function runTask(model: string, task: string, extra: string[] = [], taskTier = tier): { cost: TaskCost; result: Record<string, any> } {
  const out = join(work, `${task}-${Date.now()}.json`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'run', task, '--model', model, '--tier', taskTier, '--no-cache', '--quiet', '--out', out, ...extra],
    { encoding: 'utf8' },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench run ${task} failed (${r.status}): ${r.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const t = result.tasks[task];
  const c = t.cost ?? {};
  const executed = c.tokens === undefined ? 0 : c.tokens; // cache off: every pass was executed
  return {
    result,
    cost: {
      model: result.model.card.id,
      task,
      status: t.status,
      forwardPasses: c.forwardPasses ?? 0,
      tokens: executed,
      paddedTokens: c.paddedTokens ?? 0,
      paddingFraction: executed + (c.paddedTokens ?? 0) > 0 ? round((c.paddedTokens ?? 0) / (executed + (c.paddedTokens ?? 0)), 4) : 0,
      batches: c.batches ?? 0,
      seconds: c.seconds ?? 0,
      inferenceSeconds: c.inferenceSeconds ?? 0,
      peakRssMiB: c.peakRssMiB ?? 0,
      wallSeconds: round(wall, 2),
    },
  };
}

function round(x: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, load: readFileSync('/proc/loadavg', 'utf8').trim() },
    tier,
  };
  const heldout = readFasta(join(packageRoot, 'tasks/perplexity/data/natural-heldout.fasta')).map((r) => r.sequence);
  const fx8m = esm8mShaped();

  log('1/4 runner vs plain session.run loop');
  const throughput: ThroughputResult[] = [];
  for (const m of [examples.mlm, fx8m]) {
    throughput.push(await runnerVsPlain(m, heldout, { rounds: Number(values.rounds), threads: Number(values.threads) }));
    log(`  ${JSON.stringify(throughput.at(-1))}`);
  }
  report['throughput'] = throughput;

  const tasks: TaskCost[] = [];
  if (!values['skip-tasks']) {
    log(`2/4 per-task cost (${tier} tier, one process per task)`);
    const names = JSON.parse(execFileSync(process.execPath, [bin, 'list', '--json'], { encoding: 'utf8' })).map(
      (t: { name: string }) => t.name,
    ) as string[];
    for (const [, model] of Object.entries(examples)) {
      for (const task of names) {
        const { cost } = runTask(model, task);
        tasks.push(cost);
        log(
          `  ${cost.model} ${task}: ${cost.status} ${cost.forwardPasses} passes, padding ${cost.paddingFraction}, ${cost.seconds} s, ${cost.peakRssMiB} MiB`,
        );
      }
    }
  }
  report['tasks'] = tasks;

  if (!values['skip-torch']) {
    log('3/4 PyTorch eager vs the fitness task on one assay (full tier: every variant)');
    report['pytorch'] = pytorchComparison();
    log(`  ${JSON.stringify(report['pytorch'])}`);
  }

  if (!values['skip-memory']) {
    log('4/4 memory bounds (full tier)');
    const contactsDir = helixStructureFolder(join(work, 'helix1000'), 1000, 'perf-helix').dir;
    const contacts = runTask(fx8m, 'contacts', ['--data', `contacts=${contactsDir}`], 'full').cost;
    const small = runTask(
      examples.mlm,
      'fitness',
      ['--data', `fitness=${syntheticAssay(join(work, 'assay5k'), 'SYNTH_5K', 500, 5000, 'perf-5k')}`],
      'full',
    ).cost;
    const large = runTask(
      examples.mlm,
      'fitness',
      ['--data', `fitness=${syntheticAssay(join(work, 'assay50k'), 'SYNTH_50K', 500, 50000, 'perf-50k')}`],
      'full',
    ).cost;
    report['memory'] = {
      contacts1000ResiduesEsm2_8mShape: contacts,
      fitnessVariants: { '5000': small, '50000': large, rssGrowthMiB: large.peakRssMiB - small.peakRssMiB },
    };
    log(`  ${JSON.stringify(report['memory'])}`);
  }

  if (!values['skip-webgpu']) {
    log('5/5 WebGPU: runner vs plain loop, token budgets');
    report['webgpu'] = await webgpuSection(perfSequences(16), { log });
  }

  const outDir = join(packageRoot, 'results', 'perf');
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, new Date().toISOString().slice(0, 10));
  writeFileSync(`${stem}.json`, stableStringify(report, 2) + '\n');
  writeFileSync(`${stem}.md`, markdown(report));
  process.stdout.write(markdown(report));
  log(`wrote ${stem}.json and ${stem}.md`);
  rmSync(work, { recursive: true, force: true });
}

function pytorchComparison(): Record<string, unknown> {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch, onnx, scipy'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return {
      skipped: 'python3-torch, python3-onnx or python3-scipy not installed (apt-get install python3-torch python3-onnx python3-scipy)',
    };
  const id = 'BLAT_ECOLX_Stiffler_2015';
  const dir = join(work, 'one-assay');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.csv`), gunzipSync(readFileSync(join(packageRoot, 'tasks/fitness/data/dms', `${id}.csv.gz`))));
  // no reference file in the folder: the task reads the wild type from its bundled copy of ProteinGym's
  const ref = parse(readFileSync(join(packageRoot, 'tasks/fitness/data/DMS_substitutions.csv')), { columns: true }) as Record<
    string,
    string
  >[];
  const wt = ref.find((r) => r['DMS_id'] === id)!['target_seq']!;
  const bench = runTask(examples.mlm, 'fitness', ['--data', `fitness=${dir}`], 'full');
  const torch = JSON.parse(
    execFileSync(py, [resolve(packageRoot, 'test/perf/torch_fitness.py'), examples.mlm, join(dir, `${id}.csv`), wt], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!,
  );
  const item = bench.result.tasks.fitness.items.find((i: { id: string }) => i.id === id);
  return {
    assay: id,
    benchTaskSeconds: bench.cost.seconds,
    benchInferenceSeconds: bench.cost.inferenceSeconds,
    benchForwardPasses: bench.cost.forwardPasses,
    torchSeconds: round(torch.seconds),
    torchInferenceSeconds: round(torch.inferenceSeconds),
    torchForwardPasses: torch.forwardPasses,
    torchThreads: torch.threads,
    torchVersion: torch.torch,
    ratioWall: round(bench.cost.seconds / torch.seconds),
    ratioInference: round(bench.cost.inferenceSeconds / torch.inferenceSeconds),
    spearmanBench: item.metrics.spearman,
    spearmanTorch: torch.spearman,
  };
}

function markdown(r: Record<string, any>): string {
  const lines = [
    `# plmbench perf ${r.date}`,
    '',
    `machine: ${r.machine.cpus} x ${r.machine.cpuModel}, node ${r.machine.node}, load ${r.machine.load}; tier ${r.tier}`,
    '',
  ];
  lines.push(
    '## Runner vs plain session.run loop',
    '',
    '| model | tokens | padding | batches | plain tok/s | runner tok/s | ratio |',
    '|---|---|---|---|---|---|---|',
  );
  for (const t of r.throughput as ThroughputResult[]) {
    lines.push(
      `| ${t.model} | ${t.tokens} | ${round(t.paddedTokens / (t.tokens + t.paddedTokens), 4)} | ${t.batches} | ${t.plainTokensPerSecond} | ${t.runnerTokensPerSecond} | ${t.ratio} |`,
    );
  }
  if ((r.tasks as TaskCost[]).length) {
    lines.push(
      '',
      '## Per task (cache off, one process each)',
      '',
      '| model | task | status | passes | tokens | padding | batches | seconds | peak RSS MiB |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of r.tasks as TaskCost[])
      lines.push(
        `| ${t.model} | ${t.task} | ${t.status} | ${t.forwardPasses} | ${t.tokens} | ${t.paddingFraction} | ${t.batches} | ${t.seconds} | ${t.peakRssMiB} |`,
      );
  }
  if (r.pytorch)
    lines.push('', '## PyTorch eager vs the fitness task (one assay)', '', '```json', JSON.stringify(r.pytorch, null, 2), '```');
  if (r.memory) lines.push('', '## Memory', '', '```json', JSON.stringify(r.memory, null, 2), '```');
  if (r.webgpu) lines.push(...webgpuMarkdown(r.webgpu));
  return lines.join('\n') + '\n';
}

if (!existsSync(examples.mlm)) throw new Error(`${examples.mlm} missing`);
await main();
