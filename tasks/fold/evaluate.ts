import {
  fitWithValidation,
  LINEAR_PROBE,
  LINEAR_PROBE_OPTIONS,
  predictTopK,
  type Matrix,
  type ValidationScore,
} from '../../src/probe/index.js';
import { BenchError } from '../../src/util/errors.js';
import { LEVELS, testRole, type Level, type Role } from './split.js';

/** The probe's settings, recorded in every result. */
export const PROBE = {
  model: 'multinomial logistic regression, L2 penalty on the weights (not the intercepts), scikit-learn C convention',
  features: 'standardized per column on the training rows (mean 0, population sd 1)',
  ...LINEAR_PROBE,
  selection:
    'C with the highest validation accuracy, ties broken by the lower validation log-loss (fitWithValidation tieBreak log-loss); grid scanned in ascending order, each fit warm-started from the previous one, stopping after 2 values without improvement; the returned probe is the fit on the training rows only (TAPE protocol: train on train, select on validation, report on test)',
  tolerance:
    'stop when max |gradient| of the mean log-loss + penalty is <= 1e-3; on the bundled fold split with a 6-layer, 128-wide random transformer, accuracies moved by < 0.007 against 1e-6, at an eighth of the iterations; on the smoke tier (the causal example) by up to 0.036 against 1e-7, and 3e-6 of noise on the embeddings can flip a near-tied domain (results/perf/2026-12-03-webgpu-parity.md)',
} as const;

export interface LabelledRow {
  id: string;
  fold: string;
  role: Role;
}

export interface DomainOutcome {
  id: string;
  level: Level;
  fold: string;
  /** 1 when the top-scoring fold is the true one. */
  top1: number;
  /** 1 when the true fold is among the 5 top-scoring ones. */
  top5: number;
}

export interface Chance {
  /** 1 / number of fold classes the probe chooses among. */
  uniform: number;
  /** min(5, K) / K. */
  uniformTop5: number;
  /** Accuracy of always answering the most frequent training fold, on this level's test domains. */
  majority: number;
  majorityFold: string;
}

export interface FoldEvaluation {
  /** Fold classes of the probe, ascending; the class index is the position here. */
  classes: string[];
  outcomes: DomainOutcome[];
  chance: Record<Level, Chance>;
  probe: {
    C: number;
    scores: ValidationScore[];
    iterations: number;
    converged: boolean;
    fitSeconds: number;
    trainRows: number;
    validRows: number;
  };
}

/**
 * Fits the fold probe on the training rows (C chosen on the validation rows) and scores every test
 * row. `x` holds one embedding per row of `rows`, in the same order. `source` names the data in errors.
 */
export function evaluateFoldProbe(rows: LabelledRow[], x: Matrix, source: string): FoldEvaluation {
  if (x.rows !== rows.length) throw new RangeError(`evaluateFoldProbe: ${x.rows} embeddings for ${rows.length} domains`);
  const classes = [...new Set(rows.filter((r) => r.role === 'train').map((r) => r.fold))].sort();
  if (classes.length < 2)
    throw new BenchError(
      'E_DATA',
      `${source}: the split has ${classes.length} fold class(es) with training domains; a probe needs at least 2`,
    );
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const pick = (role: Role) => {
    const idx = rows.flatMap((r, i) => (r.role === role ? [i] : []));
    const d = x.cols;
    const data = new Float32Array(idx.length * d);
    idx.forEach((i, k) => {
      data.set(x.data.subarray(i * d, (i + 1) * d), k * d);
    });
    const y = Int32Array.from(idx, (i) => {
      const c = classOf.get(rows[i]!.fold);
      if (c === undefined)
        throw new BenchError(
          'E_DATA',
          `${source}: domain ${rows[i]!.id} (${role}) is in fold ${rows[i]!.fold}, which has no training domain`,
        );
      return c;
    });
    return { idx, m: { data, rows: idx.length, cols: d }, y };
  };
  const train = pick('train');
  const valid = pick('valid');
  if (valid.idx.length === 0)
    throw new BenchError('E_DATA', `${source}: the split has no validation domains to choose the probe's penalty with`);
  const t0 = performance.now();
  const fit = fitWithValidation(train.m, train.y, valid.m, valid.y, LINEAR_PROBE_OPTIONS);
  const fitSeconds = (performance.now() - t0) / 1000;
  const counts = new Array<number>(classes.length).fill(0);
  for (const c of train.y) counts[c]!++;
  const majorityClass = counts.indexOf(Math.max(...counts));
  const outcomes: DomainOutcome[] = [];
  const chance = {} as Record<Level, Chance>;
  for (const level of LEVELS) {
    const t = pick(testRole(level));
    if (t.idx.length === 0) {
      throw new BenchError('E_DATA', `${source}: the split has no test domains at the ${level} level (${LEVEL_NEEDS[level]})`);
    }
    const k = Math.min(5, classes.length);
    const top = predictTopK(fit.model, t.m, k);
    t.idx.forEach((i, r) => {
      const truth = t.y[r]!;
      let hit5 = 0;
      for (let j = 0; j < k; j++) if (top[r * k + j] === truth) hit5 = 1;
      outcomes.push({ id: rows[i]!.id, level, fold: rows[i]!.fold, top1: top[r * k] === truth ? 1 : 0, top5: hit5 });
    });
    chance[level] = {
      uniform: 1 / classes.length,
      uniformTop5: k / classes.length,
      majority: t.y.filter((c) => c === majorityClass).length / t.y.length,
      majorityFold: classes[majorityClass]!,
    };
  }
  const last = fit.scores.find((s) => s.C === fit.C)!;
  return {
    classes,
    outcomes,
    chance,
    probe: {
      C: fit.C,
      scores: fit.scores,
      iterations: last.iterations,
      converged: last.converged,
      fitSeconds,
      trainRows: train.idx.length,
      validRows: valid.idx.length,
    },
  };
}

/** What a level needs from the data, for the error when it is empty. */
export const LEVEL_NEEDS: Record<Level, string> = {
  fold: 'a fold with at least 2 superfamilies of at least 3 domains each (classes a-g, standard amino acids), so one can be held out whole',
  superfamily: 'a training superfamily with at least 2 families, so one can be held out whole',
  family: 'a training family with at least 3 domains, so one can be held out',
};
