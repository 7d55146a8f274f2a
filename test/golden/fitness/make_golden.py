#!/usr/bin/python3
"""Golden values for the fitness task's known-answer test, computed independently of the TypeScript code.

Rerun from the repository root with Debian's scientific Python (the pyenv `python3` on PATH lacks scipy
and sklearn):

    /usr/bin/python3 test/golden/fitness/make_golden.py

The known-answer model is test/helpers/models.ts `siteIndependentModel('mlm', {maxLength: 128})`:
logits at token position t are row t of a table filled by a linear congruential generator (seed 3,
s = s * 1664525 + 1013904223 mod 2^32, value ((s / 2^32) * 2 - 1) * 3, stored as float32), whatever
the input tokens. This script rebuilds that table, reads the bundled assays (tasks/fitness/data), and
computes, for every variant, the masked-marginals score as ProteinGym's ESM code would on that model
(proteingym/baselines/esm/compute_fitness.py: tokens = <cls> + residues + <eos>; for each mutated
position the token array is cut to get_optimal_window(1 + i, len + 2, 128) when longer than 128
tokens; label_row sums log p(mut) - log p(wt) from the log-softmax at the masked position). Since
the model ignores its input, the log-softmax at window position r is that of table row r.

Then the five ProteinGym metrics per assay (scipy spearmanr, sklearn roc_auc_score and
matthews_corrcoef with the median cut, as the lines of ProteinGym's main(); calc_ndcg and calc_toprecall
are ProteinGym's own functions, loaded unchanged at run time from OATML-Markslab/ProteinGym
proteingym/performance_DMS_benchmarks.py at bb685245 by test/golden/proteingym_reference.py, which needs a
git directory of ProteinGym (see there); calc_ndcg is run with numpy's argsort defaulting to the stable sort,
ties in the model ranking broken by index as src/metrics documents) and the ProteinGym aggregate with
main()'s pandas calls (every per-assay value rounded to 3 decimals, mean per UniProt_ID and
coarse_selection_type, then per selection type, then the mean), and the plain mean of the rounded values.

`tied`: a tied-score copy of each bundled assay (DMS_score rounded to one decimal with np.round, the model
scores above, which tie too), with the five metrics from the same functions; `top_recall_a6fc27f` is
calc_toprecall at a6fc27f (strict `>`), where `>=` and `>` differ on tied data.

Writes golden.json beside this script.
"""

import csv
import gzip
import io
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.stats import spearmanr
from sklearn.metrics import matthews_corrcoef, roc_auc_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pandas as pd  # noqa: E402
import proteingym_reference  # noqa: E402

PG = proteingym_reference.load()
PG_OLD = proteingym_reference.load(proteingym_reference.OLD_COMMIT)

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DATA = os.path.join(ROOT, "tasks", "fitness", "data")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")

ESM = ["<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R", "T", "I", "D", "P", "K", "Q", "N", "F",
       "Y", "M", "H", "W", "C", "X", "B", "U", "Z", "O", ".", "-", "<null_1>", "<mask>"]
MAX_LENGTH = 128
SEED = 3
SCALE = 3.0


def table():
    V = len(ESM)
    s = SEED
    out = np.zeros(MAX_LENGTH * V, dtype=np.float32)
    for i in range(out.size):
        s = (s * 1664525 + 1013904223) % (2 ** 32)
        out[i] = np.float32(((s / 2 ** 32) * 2 - 1) * SCALE)
    return out.reshape(MAX_LENGTH, V)


def log_softmax(rows):
    rows = rows.astype(np.float64)
    m = rows.max(axis=1, keepdims=True)
    return rows - (m + np.log(np.exp(rows - m).sum(axis=1, keepdims=True)))


# proteingym/utils/scoring_utils.py
def get_optimal_window(mutation_position_relative, seq_len_wo_special, model_window):
    half_model_window = model_window // 2
    if seq_len_wo_special <= model_window:
        return [0, seq_len_wo_special]
    elif mutation_position_relative < half_model_window:
        return [0, model_window]
    elif mutation_position_relative >= seq_len_wo_special - half_model_window:
        return [seq_len_wo_special - model_window, seq_len_wo_special]
    else:
        return [max(0, mutation_position_relative - half_model_window), min(seq_len_wo_special, mutation_position_relative + half_model_window)]


def known_answer_scores(wt, rows, ls, idx):
    """Masked-marginals scores of the known-answer model for the rows of an assay (see the module docstring)."""
    n_tokens = len(wt) + 2
    scores = []
    for row in rows:
        s = 0.0
        for m in row["mutant"].split(":"):
            w, i, mt = m[0], int(m[1:-1]) - 1, m[-1]
            assert wt[i] == w
            t = 1 + i
            start, end = get_optimal_window(t, n_tokens, MAX_LENGTH) if n_tokens > MAX_LENGTH else (0, n_tokens)
            s += ls[t - start, idx[mt]] - ls[t - start, idx[w]]
        scores.append(s)
    return np.array(scores)


def calc_ndcg(y_true, y_score):
    # ProteinGym's calc_ndcg, unchanged, with argsort defaulting to kind='stable' (see proteingym_reference.StableSort):
    # the known-answer model gives tied scores, which ProteinGym's default sort orders arbitrarily.
    with proteingym_reference.StableSort(PG) as pg:
        return pg.calc_ndcg(y_true, y_score)


def metrics(y, b, scores):
    median_cutoff = np.median(scores)
    pred = np.array([1 if x >= median_cutoff else 0 for x in scores])
    return {
        "spearman": float(spearmanr(y, scores)[0]),
        "auc": float(roc_auc_score(y_true=b, y_score=scores)),
        "mcc": float(matthews_corrcoef(y_true=b, y_pred=pred)),
        "ndcg": float(calc_ndcg(y, scores)),
        "top_recall": float(PG.calc_toprecall(y, scores)),
    }


def aggregates(assays):
    agg = {}
    for metric in ["spearman", "auc", "mcc", "ndcg", "top_recall"]:
        rows = [(a["uniprot"], a["selectionType"], a["metrics"][metric]) for a in assays.values()]
        agg[metric], agg[metric + "_mean"] = proteingym_reference.aggregate(rows, pd)
    return agg


def main():
    ls = log_softmax(table())
    idx = {t: i for i, t in enumerate(ESM)}
    # the reference file lists all 217 ProteinGym assays; the six bundled ones are scored
    ref = [r for r in csv.DictReader(open(os.path.join(DATA, "DMS_substitutions.csv")))
           if os.path.exists(os.path.join(DATA, "dms", r["DMS_id"] + ".csv.gz"))]
    out = {
        "model": {"objective": "mlm", "vocab": "esm", "maxLength": MAX_LENGTH, "seed": SEED, "scale": SCALE,
                  "tableFirst": [float(x) for x in table().ravel()[:5]], "tableSum": float(table().astype(np.float64).sum())},
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__, "pandas": pd.__version__},
        "assays": {},
    }
    tied = {}
    for r in ref:
        dms_id, wt = r["DMS_id"], r["target_seq"]
        with gzip.open(os.path.join(DATA, "dms", dms_id + ".csv.gz"), "rt") as f:
            rows = list(csv.DictReader(f))
        n_tokens = len(wt) + 2
        scores = known_answer_scores(wt, rows, ls, idx)
        y = np.array([float(x["DMS_score"]) for x in rows])
        b = np.array([int(x["DMS_score_bin"]) for x in rows])
        samples = {rows[i]["mutant"]: float(scores[i]) for i in list(range(3)) + [i for i, x in enumerate(rows) if ":" in x["mutant"]][:3]}
        out["assays"][dms_id] = {
            "uniprot": r["UniProt_ID"],
            "selectionType": r["coarse_selection_type"],
            "n": len(rows),
            "windowed": n_tokens > MAX_LENGTH,
            "metrics": metrics(y, b, scores),
            "sampleScores": samples,
        }
        y1 = np.round(y, 1)
        tied[dms_id] = {
            "uniprot": r["UniProt_ID"],
            "selectionType": r["coarse_selection_type"],
            "distinctDmsScores": int(len(np.unique(y1))),
            "metrics": metrics(y1, b, scores),
            "top_recall_a6fc27f": float(PG_OLD.calc_toprecall(y1, scores)),
        }
    out["aggregate"] = aggregates(out["assays"])
    out["tied"] = {"rule": "DMS_score rounded to one decimal (np.round(DMS_score, 1)); model scores and DMS_score_bin unchanged",
                   "assays": tied, "aggregate": aggregates(tied)}
    out["proteingym"] = proteingym_reference.LOADED
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
