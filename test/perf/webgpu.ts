/**
 * The WebGPU section of `npm run bench:perf` (issue 17), also runnable alone:
 *
 *   node --import tsx test/perf/webgpu.ts [--sequences N] [--rounds N]   (writes results/perf/<date>-webgpu.json/.md)
 *
 * 1. The runner vs a plain session.run loop over the same padded batches, both on the WebGPU provider
 *    (target: ratio >= 0.95).
 * 2. The runner's token budget per batch (maxTokens) on WebGPU and on CPU: tokens/s at each budget, to
 *    choose the per-provider default. Runs on whatever adapter --ep webgpu gets (lavapipe in CI).
 * Sequences: the first N held-out perplexity sequences, cut at 200 residues (lavapipe is slow).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFasta } from '../../src/bio/fasta.js';
import { packageRoot } from '../../src/util/paths.js';
import { stableStringify } from '../../src/util/json.js';
import { missingRuntimePiece, webgpuAdapter } from '../../src/model/session.js';
import { runnerVsPlain, type ThroughputResult } from './runner-vs-plain.js';

export interface WebGpuPerf {
  skipped?: string;
  adapter?: string;
  runnerVsPlain?: ThroughputResult;
  budgets?: { ep: string; maxTokens: number; runnerTokensPerSecond: number; batches: number }[];
}

export async function webgpuSection(sequences: string[], opts: { rounds?: number; log?: (s: string) => void } = {}): Promise<WebGpuPerf> {
  const log = opts.log ?? (() => {});
  const missing = missingRuntimePiece('webgpu') ?? (webgpuAdapter() ? null : 'no GPU adapter found');
  if (missing) return { skipped: missing };
  const mlm = join(packageRoot, 'models', 'plm-mlm-mini.onnx');
  const rounds = opts.rounds ?? 5;
  const r = await runnerVsPlain(mlm, sequences, { ep: 'webgpu', rounds });
  log(`  webgpu runner vs plain: ${JSON.stringify(r)}`);
  const budgets: NonNullable<WebGpuPerf['budgets']> = [];
  for (const ep of ['webgpu', 'cpu'] as const) {
    for (const maxTokens of [1024, 4096, 16384]) {
      const t = await runnerVsPlain(mlm, sequences, { ep, rounds: 1, policy: { maxTokens } });
      budgets.push({ ep, maxTokens, runnerTokensPerSecond: t.runnerTokensPerSecond, batches: t.batches });
      log(`  ${ep} maxTokens ${maxTokens}: runner ${t.runnerTokensPerSecond} tok/s in ${t.batches} batches`);
    }
  }
  return { ...(r.adapter ? { adapter: r.adapter } : {}), runnerVsPlain: r, budgets };
}

export function webgpuMarkdown(w: WebGpuPerf): string[] {
  if (w.skipped) return ['', '## WebGPU', '', `skipped: ${w.skipped}`];
  const t = w.runnerVsPlain!;
  const lines = [
    '',
    `## WebGPU (${w.adapter ?? 'adapter unknown'})`,
    '',
    '| model | sequences | tokens | batches | plain tok/s | runner tok/s | ratio (median of rounds) | rounds | runner overhead |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  lines.push(
    `| ${t.model} | ${t.sequences} | ${t.tokens} | ${t.batches} | ${t.plainTokensPerSecond} | ${t.runnerTokensPerSecond} | ${t.ratio} | ${t.pairRatios.join(', ')} | ${(t.runnerOverhead * 100).toFixed(2)}% |`,
  );
  lines.push('', '| provider | maxTokens | batches | runner tok/s |', '|---|---|---|---|');
  for (const b of w.budgets ?? []) lines.push(`| ${b.ep} | ${b.maxTokens} | ${b.batches} | ${b.runnerTokensPerSecond} |`);
  return lines;
}

export function perfSequences(n: number): string[] {
  return readFasta(join(packageRoot, 'tasks/perplexity/data/natural-heldout.fasta'))
    .map((r) => r.sequence.slice(0, 200))
    .slice(0, n);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { sequences: { type: 'string', default: '16' }, rounds: { type: 'string', default: '5' } } });
  const w = await webgpuSection(perfSequences(Number(values.sequences)), {
    rounds: Number(values.rounds),
    log: (s) => process.stderr.write(`${s}\n`),
  });
  const report = {
    date: new Date().toISOString(),
    sequences: Number(values.sequences),
    load: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim(),
    ...w,
  };
  const dir = join(packageRoot, 'results', 'perf');
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${report.date.slice(0, 10)}-webgpu`);
  writeFileSync(`${stem}.json`, stableStringify(report, 2) + '\n');
  writeFileSync(`${stem}.md`, [`# plmbench WebGPU perf ${report.date}`, `load ${report.load}`, ...webgpuMarkdown(w)].join('\n') + '\n');
  process.stderr.write(`wrote ${stem}.json and ${stem}.md\n`);
}
