import { resolve } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { readJsonData } from '../scaling/data-files.js';

/** A tolerance rule of the gate config. */
export interface GateRule {
  tolerance: number;
  relative?: boolean;
  higherIsBetter?: boolean;
  why?: string;
}

export interface GateConfig {
  source: string;
  resamples: number;
  alpha: number;
  default: GateRule;
  metrics: Record<string, GateRule>;
  ignore: string[];
  missingTask: 'fail' | 'warn';
  file: string;
  sha256: string;
}

/** The default tolerances shipped with plmbench. */
export const DEFAULT_GATE_CONFIG = resolve(packageRoot, 'results/gate.config.json');

interface ConfigJson {
  source: string;
  resamples?: number;
  alpha?: number;
  default: GateRule;
  metrics: Record<string, GateRule>;
  ignore?: string[];
  missingTask?: 'fail' | 'warn';
}

/** Reads and validates a gate config (results/schema/gate-config.schema.json); absent fields take their defaults. */
export function loadGateConfig(path = DEFAULT_GATE_CONFIG): GateConfig {
  const { data, sha256, file } = readJsonData<ConfigJson>(path, 'gate-config', 'gate config');
  return {
    source: data.source,
    resamples: data.resamples ?? 2000,
    alpha: data.alpha ?? 0.05,
    default: data.default,
    metrics: data.metrics,
    ignore: data.ignore ?? [],
    missingTask: data.missingTask ?? 'fail',
    file,
    sha256,
  };
}

/**
 * The rule for a task metric: the most specific key wins, in the order `task.metric`, a
 * task-qualified pattern (`task.p_at_l*`), `metric`, a metric pattern (`p_at_l*`), then the default.
 * Among patterns, the longest (most literal characters) wins. Returns the rule and the key that gave it.
 */
export function ruleFor(config: GateConfig, task: string, metric: string): { rule: GateRule; key: string } {
  const keys = Object.keys(config.metrics);
  const qualified = `${task}.${metric}`;
  if (config.metrics[qualified]) return { rule: config.metrics[qualified], key: qualified };
  const best = (cands: string[]) => cands.sort((a, b) => b.replace(/\*/g, '').length - a.replace(/\*/g, '').length || (a < b ? -1 : 1))[0];
  const qp = best(keys.filter((k) => k.includes('*') && k.includes('.') && globMatch(k, qualified)));
  if (qp) return { rule: config.metrics[qp]!, key: qp };
  if (config.metrics[metric] && !metric.includes('.')) return { rule: config.metrics[metric], key: metric };
  const mp = best(keys.filter((k) => k.includes('*') && !k.includes('.') && globMatch(k, metric)));
  if (mp) return { rule: config.metrics[mp]!, key: mp };
  return { rule: config.default, key: 'default' };
}

/** Whether a task or task metric is listed under `ignore` (wildcards allowed). */
export function isIgnored(config: GateConfig, task: string, metric: string | null): boolean {
  return config.ignore.some((p) => globMatch(p, task) || (metric !== null && globMatch(p, `${task}.${metric}`)));
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(text);
}
