import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkConformance } from '../../model/conformance.js';
import type { OutputName } from '../../model/contract.js';
import type { LoadedModel } from '../../model/model.js';
import { listProviders, parseEp, type ProviderStatus } from '../../model/session.js';
import { BenchError } from '../../util/errors.js';
import type { CliIo } from '../io.js';
import { loadForCli, openCache } from '../model-loading.js';
import { parseCardFlags } from '../options.js';
import { compareParams } from './run.js';
import { table } from '../format.js';
import { describeCompute, type ComputeReport } from '../compute-report.js';
import { loadScalingLaws } from '../../scaling/index.js';

export const INSPECT_HELP = `bench inspect --model x.onnx [--card C] [--json] [--ep E] [--law ID] [--objective O --vocab V --max-length N --train-tokens N]
  card and its source, inputs and outputs, capabilities, counted parameters, training compute and
  the model's compute against each baseline family's compute range (matched or not), distance from the
  compute-optimal frontier under the selected law set (--law, the card's scalingLaw, else the default)
  with N/N_opt under every law set and its spread, and the conformance check on a fixed sequence.
`;

export async function inspectCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      card: { type: 'string' },
      json: { type: 'boolean', default: false },
      ep: { type: 'string', default: 'auto' },
      objective: { type: 'string' },
      vocab: { type: 'string' },
      'max-length': { type: 'string' },
      'train-tokens': { type: 'string' },
      law: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(INSPECT_HELP);
    return 0;
  }
  if (!values.model) throw new BenchError('E_USAGE', '--model: required (path to an .onnx file)');
  if (values.law !== undefined) loadScalingLaws(values.law); // an unknown --law fails before the model is loaded
  // An empty value (--objective "") counts as not given here, as it always has for inspect.
  const cardFlags = parseCardFlags((flag) => values[flag] || undefined);
  const cache = openCache(null);
  const model = await loadForCli(
    resolve(io.cwd, values.model),
    { ...(values.card ? { card: values.card } : {}), cardFlags, ep: parseEp(values.ep) },
    cache,
    io,
    values.json,
  );
  try {
    const conformance = await checkConformance(model, Object.keys(model.io.outputs) as OutputName[]);
    const report = inspectReport(
      model,
      conformance.checks,
      describeCompute(model.card, model.params, values.law !== undefined ? { law: values.law } : {}),
    );
    if (values.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else io.stdout(formatInspect(report));
    if (!conformance.ok) {
      io.stderr(
        `bench: ${values.model}: conformance check failed: ${conformance.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join('; ')}\n`,
      );
      return 2;
    }
    return 0;
  } finally {
    await model.release();
  }
}

export interface InspectReport {
  path: string;
  sha256: string;
  bytes: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  card: unknown;
  cardSource: string;
  cardFile: string | null;
  vocab: { name: string; size: number; pad: number; start: number | null; end: number | null; mask: number | null };
  inputs: { name: string; type: string; dims: unknown }[];
  outputs: { name: string; type: string; dims: unknown; role: string | null }[];
  io: LoadedModel['io'];
  capabilities: string[];
  /** [issue 17] What a run records as the model's precision, and the two types it is derived from. */
  precision: LoadedModel['precisionOf'];
  params: LoadedModel['params'] & { card: { params: number | null; paramsTotal: number | null }; warning: string | null };
  compute: ComputeReport;
  ep: string;
  epFallbacks: { ep: string; reason: string }[];
  /** [webgpu, issue 17] Providers on this machine, and the WebGPU adapter of this run. */
  providers: ProviderStatus[];
  adapter: string | null;
  conformance: { name: string; ok: boolean; detail: string }[];
}

function inspectReport(model: LoadedModel, checks: { name: string; ok: boolean; detail: string }[], compute: ComputeReport): InspectReport {
  const roleOf = (name: string) => Object.entries(model.io.outputs).find(([, v]) => v === name)?.[0] ?? null;
  return {
    path: model.path,
    sha256: model.sha256,
    bytes: model.info.bytes,
    producer: model.info.producer,
    opsets: model.info.opsets,
    card: model.card,
    cardSource: model.cardSource,
    cardFile: model.cardFile ?? null,
    vocab: {
      name: model.vocab.name,
      size: model.vocab.size,
      pad: model.vocab.pad,
      start: model.vocab.start,
      end: model.vocab.end,
      mask: model.vocab.mask,
    },
    inputs: model.info.inputs,
    outputs: model.info.outputs.map((o) => ({ ...o, role: roleOf(o.name) })),
    io: model.io,
    capabilities: [...model.capabilities].sort(),
    precision: model.precisionOf,
    params: {
      ...model.params,
      card: { params: model.card.params ?? null, paramsTotal: model.card.paramsTotal ?? null },
      warning: compareParams(model),
    },
    compute,
    ep: model.ep,
    epFallbacks: model.fallbacks,
    providers: listProviders(),
    adapter: model.adapter?.name ?? null,
    conformance: checks,
  };
}

function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  const card = r.card as Record<string, unknown>;
  lines.push(`model     ${r.path}`);
  lines.push(`sha256    ${r.sha256}`);
  lines.push(
    `size      ${r.bytes} bytes, producer ${r.producer || 'unknown'}, opsets ${r.opsets.map((o) => `${o.domain}:${o.version}`).join(' ')}`,
  );
  lines.push(
    `card      ${String(card['id'])} (${r.cardSource}${r.cardFile ? `: ${r.cardFile}` : ''}): objective ${String(card['objective'])}, vocab ${r.vocab.name} (${r.vocab.size} tokens), maxLength ${String(card['maxLength'])}`,
  );
  lines.push('');
  const rows = [['', 'name', 'type', 'dims', 'role']];
  for (const i of r.inputs) rows.push(['input', i.name, i.type, JSON.stringify(i.dims), '']);
  for (const o of r.outputs) rows.push(['output', o.name, o.type, JSON.stringify(o.dims), o.role ?? '(unused)']);
  lines.push(table(rows).trimEnd());
  lines.push('');
  lines.push(`capabilities  ${r.capabilities.join(', ')}`);
  lines.push(`precision     ${r.precision.precision} (weights ${r.precision.weights ?? 'none'}, logits ${r.precision.logits})`);
  lines.push(
    `parameters    counted ${r.params.nonEmbedding} non-embedding, ${r.params.total} total (embeddings: ${r.params.embeddingTensors.join(', ') || 'none found'})`,
  );
  lines.push(
    `              card ${r.params.card.params ?? '-'} non-embedding, ${r.params.card.paramsTotal ?? '-'} total${r.params.warning ? `\n  warning: ${r.params.warning}` : ''}`,
  );
  for (const l of r.compute.lines) lines.push(l);
  lines.push(
    `provider      ${r.ep}${r.adapter ? ` on ${r.adapter}` : ''}${r.epFallbacks.length ? ` (after ${r.epFallbacks.map((f) => f.ep).join(', ')} skipped)` : ''}`,
  );
  for (const p of r.providers) lines.push(`  ${p.usable ? '[yes]' : '[no] '} ${p.ep.padEnd(7)}${p.detail}`);
  lines.push('');
  lines.push('conformance');
  for (const c of r.conformance) lines.push(`  [${c.ok ? 'ok' : 'FAIL'}] ${c.name}: ${c.detail}`);
  return lines.join('\n') + '\n';
}
