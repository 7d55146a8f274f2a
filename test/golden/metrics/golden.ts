/**
 * Loader for golden.json (made by make_golden.py beside it; see there how to rerun). JSON has no NaN,
 * so the generator writes NaN as null; `num` turns it back. Also the shared 1e-9 closeness check.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';

export interface PairSet {
  true: number[];
  pred: number[];
  bin: number[];
  predicted01: number[];
  expected: {
    ranks_true: number[];
    ranks_pred: number[];
    spearman: number | null;
    pearson: number | null;
    /** null: only one class, aucRoc must throw */
    auc: number | null;
    mcc: number;
    precision_at_k: Record<string, number>;
    median_pred: number;
    mean_pred: number;
    sum_pred: number;
    percentile_pred: Record<string, number>;
    proteingym: {
      spearman: number | null;
      auc: number | null;
      mcc: number;
      /** calc_ndcg with ties broken by index (numpy's stable sort), as src/metrics */
      ndcg: number | null;
      /** calc_ndcg as it stands (numpy's default sort): equal to ndcg when the model scores have no ties */
      ndcg_default_sort: number | null;
      /** calc_toprecall at bb685245 (>=) */
      top_recall: number;
      /** calc_toprecall at a6fc27f (>), for the record */
      top_recall_a6fc27f: number;
    };
  };
}

export interface TopKSet {
  scores: number[][];
  labels: number[];
  reference: string;
  top_k_accuracy: Record<string, number>;
  sklearn_top_k_accuracy: Record<string, number>;
  argmax_accuracy: number;
}

export interface Golden {
  seed: number;
  versions: Record<string, string>;
  /** the ProteinGym files the generator loaded: commit -> {repository, commit, path, blob} */
  proteingym: Record<string, { repository: string; commit: string; path: string; blob: string }>;
  pairs: Record<string, PairSet>;
  classification: {
    continuous_80x6: TopKSet;
    ties_50x5: TopKSet;
    accuracy_70: { predicted: number[]; labels: number[]; accuracy: number };
  };
  perplexity: { sum_nll: number; count: number; perplexity: number }[];
}

export const golden: Golden = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8')) as Golden;

/** null (NaN in the generator) back to NaN. */
export function num(v: number | null): number {
  return v === null ? NaN : v;
}

export const TOL = 1e-9;

/** Equal within `tol` (absolute), or both NaN. */
export function expectClose(actual: number, expected: number, what: string, tol = TOL): void {
  if (Number.isNaN(expected)) {
    expect(actual, `${what}: expected NaN`).to.be.NaN;
    return;
  }
  expect(actual, what).to.be.a('number');
  expect(Math.abs(actual - expected), `${what}: got ${actual}, expected ${expected}`).to.be.at.most(tol);
}

/** The pair sets, [name, set] in file order. */
export function pairSets(): [string, PairSet][] {
  return Object.entries(golden.pairs);
}
