#!/usr/bin/python3
"""Golden values for src/metrics, computed with scipy / sklearn / numpy.

Rerun (from the repository root, with Debian's scientific Python; the pyenv `python3` on PATH lacks
scipy and sklearn):

    /usr/bin/python3 test/golden/metrics/make_golden.py

It rewrites test/golden/metrics/golden.json deterministically (fixed seed). Generated with numpy 1.24,
scipy 1.10, sklearn 1.2; the script records the versions it ran with in the JSON.

JSON has no NaN: every NaN is written as null, and the test loader turns null back into NaN.

Inputs are rounded to 6 decimals (or drawn as small integers for the tie-heavy sets) before any
value is computed, so the numbers in the JSON are exactly the inputs the references saw.

ProteinGym metrics: `calc_ndcg` and `calc_toprecall` are ProteinGym's own functions, loaded unchanged at run
time from OATML-Markslab/ProteinGym `proteingym/performance_DMS_benchmarks.py` at bb685245 (the commit the project
cites) by test/golden/proteingym_reference.py (which needs a git directory of ProteinGym: see there; nothing of
ProteinGym is committed here). AUC / MCC / Spearman are the lines of its `main()` (the same sklearn / scipy
calls). NDCG: ProteinGym ranks with numpy's default, unstable sort; `ndcg` is its calc_ndcg run with argsort
defaulting to kind='stable' (ties broken by index, as src/metrics does; see proteingym_reference.StableSort), and
`ndcg_default_sort` the same function as it stands; the script checks the two agree on every set whose model
scores have no ties. `top_recall_a6fc27f` is calc_toprecall at a6fc27f (strict `>`, before the 2024-08-08 merge),
recorded to show where the old rule differs.
"""

import json
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.stats import pearsonr, rankdata, spearmanr
from sklearn.metrics import accuracy_score, matthews_corrcoef, roc_auc_score, top_k_accuracy_score
import warnings

warnings.simplefilter("ignore")  # ConstantInputWarning etc.: the NaN is the expected value

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import proteingym_reference  # noqa: E402

PG = proteingym_reference.load()
PG_OLD = proteingym_reference.load(proteingym_reference.OLD_COMMIT)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
SEED = 20240611


def nan_to_none(v):
    if isinstance(v, (list, tuple)):
        return [nan_to_none(x) for x in v]
    if isinstance(v, dict):
        return {k: nan_to_none(x) for k, x in v.items()}
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if np.isnan(v) else v
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


# ---- ProteinGym, transcribed (see module docstring) -------------------------------------------

def pg_spearman(dms, model):
    return spearmanr(dms, model)[0]


def pg_auc(dms_bin, model):
    # main(): roc_auc_score(y_true=DMS_score_bin, y_score=score), NaN on exception (one class)
    try:
        return roc_auc_score(y_true=dms_bin, y_score=model)
    except ValueError:
        return float("nan")


def pg_mcc(dms_bin, model):
    # main(): cutoff = pandas median of the model scores; bin = 1 if x >= cutoff else 0
    # (pandas Series.median == np.median on NaN-free data)
    cutoff = np.median(model)
    pred = np.array([1 if x >= cutoff else 0 for x in model])
    return matthews_corrcoef(y_true=dms_bin, y_pred=pred)


def pg_ndcg(dms, model, stable=True):
    # ProteinGym's calc_ndcg(y_true=DMS_score, y_score=model score), defaults quantile=True, top=10
    with np.errstate(invalid="ignore", divide="ignore"):
        if stable:
            with proteingym_reference.StableSort(PG) as pg:
                return float(pg.calc_ndcg(dms, model))
        return float(PG.calc_ndcg(dms, model))


def pg_top_recall(dms, model, module=PG):
    # ProteinGym's calc_toprecall(true_scores=DMS_score, model_scores=model score), top 10% both sides
    return float(module.calc_toprecall(dms, model))


# ---- data sets ---------------------------------------------------------------------------------

rng = np.random.default_rng(SEED)


def r6(x):
    return np.round(np.asarray(x, dtype=float), 6)


def make_sets():
    sets = {}
    # continuous, correlated, no ties
    t = rng.normal(size=60)
    sets["random_n60"] = dict(true=r6(t), pred=r6(0.6 * t + 0.8 * rng.normal(size=60)))
    # DMS-like: larger, skewed assay values, binarised at a cutoff like DMS_score_bin
    t = -np.abs(rng.standard_t(3, size=500))
    sets["dms_like_n500"] = dict(true=r6(t), pred=r6(0.4 * t + rng.normal(size=500)), cutoff=-1.0)
    # small integers: ties everywhere, on both sides
    sets["small_ints_n40"] = dict(true=rng.integers(0, 5, size=40).astype(float),
                                  pred=rng.integers(0, 4, size=40).astype(float))
    # one decimal: heavy ties in a larger set
    t = rng.normal(size=200)
    sets["one_decimal_n200"] = dict(true=np.round(t, 1), pred=np.round(0.5 * t + rng.normal(size=200), 1))
    # n < 10 (ProteinGym NDCG k = 0), and n where the 90th percentile falls exactly on an element
    sets["tiny_n7"] = dict(true=r6(rng.normal(size=7)), pred=r6(rng.normal(size=7)))
    sets["exact_percentile_n21"] = dict(true=np.arange(21, dtype=float)[rng.permutation(21)],
                                        pred=r6(rng.normal(size=21)))
    # top values tied at the percentile threshold
    t = np.concatenate([np.full(6, 3.0), rng.integers(0, 3, size=24).astype(float)])
    p = np.concatenate([np.full(5, 2.0), r6(rng.normal(size=25))])
    sets["tied_top_n30"] = dict(true=t, pred=p)
    # a constant model (all metrics' degenerate branches) and a constant assay
    sets["constant_pred_n30"] = dict(true=r6(rng.normal(size=30)), pred=np.full(30, 0.5))
    sets["constant_true_n30"] = dict(true=np.full(30, 1.25), pred=r6(rng.normal(size=30)))
    for name, s in sets.items():
        cutoff = s.pop("cutoff", None)
        thr = np.median(s["true"]) if cutoff is None else cutoff
        s["bin"] = (s["true"] > thr).astype(int)
        s["predicted01"] = rng.integers(0, 2, size=len(s["true"]))
    return sets


def pair_metrics(s):
    t, p, b, q = s["true"], s["pred"], s["bin"], s["predicted01"]
    n = len(t)
    out = {}
    out["ranks_true"] = rankdata(t).tolist()
    out["ranks_pred"] = rankdata(p).tolist()
    out["spearman"] = spearmanr(p, t)[0]
    out["pearson"] = pearsonr(p, t)[0] if n >= 2 else float("nan")
    out["auc"] = roc_auc_score(b, p) if 0 < b.sum() < n else None  # None: one class, aucRoc throws
    out["mcc"] = matthews_corrcoef(b, q)
    ks = sorted({1, 2, max(1, n // 10), n // 2, n})
    # precision@k reference: stable descending order (ties by lower index), mean label of the top k
    order = np.argsort(-p, kind="stable")
    out["precision_at_k"] = {str(k): float(np.mean(b[order[:k]])) for k in ks}
    out["median_pred"] = float(np.median(p))
    out["mean_pred"] = float(np.mean(p))
    out["sum_pred"] = float(np.sum(p))
    out["percentile_pred"] = {str(q_): float(np.percentile(p, q_)) for q_ in (0, 2.5, 10, 50, 90, 97.5, 100)}
    out["proteingym"] = {
        "spearman": pg_spearman(t, p),
        "auc": pg_auc(b, p),
        "mcc": pg_mcc(b, p),
        "ndcg": pg_ndcg(t, p),
        "top_recall": pg_top_recall(t, p),
        "top_recall_a6fc27f": pg_top_recall(t, p, PG_OLD),
        "ndcg_default_sort": pg_ndcg(t, p, stable=False),
    }
    if len(np.unique(p)) == n:
        default = out["proteingym"]["ndcg_default_sort"]
        assert default == out["proteingym"]["ndcg"] or (np.isnan(default) and np.isnan(out["proteingym"]["ndcg"]))
    return out


def classification_sets():
    sets = {}
    # continuous scores, no ties: sklearn's top_k_accuracy_score is the reference
    m = r6(rng.normal(size=(80, 6)))
    y = rng.integers(0, 6, size=80)
    sets["continuous_80x6"] = dict(scores=m, labels=y, reference="sklearn")
    # integer scores, many ties: reference ranks ties by lower class index (see topKAccuracy's doc);
    # sklearn's own value is recorded too, to show where the conventions differ
    m = rng.integers(0, 3, size=(50, 5)).astype(float)
    y = rng.integers(0, 5, size=50)
    sets["ties_50x5"] = dict(scores=m, labels=y, reference="lower-index-first")
    out = {}
    for name, s in sets.items():
        m, y = s["scores"], s["labels"]
        c = m.shape[1]
        top = {}
        sk = {}
        for k in range(1, c + 1):
            # rank of the label with ties broken by lower index: classes strictly above, plus tied below it
            ahead = np.array([np.sum(m[i] > m[i, y[i]]) + np.sum(m[i, : y[i]] == m[i, y[i]]) for i in range(len(y))])
            top[str(k)] = float(np.mean(ahead < k))
            sk[str(k)] = float(top_k_accuracy_score(y, m, k=k, labels=np.arange(c)))
        if s["reference"] == "sklearn":
            assert top == sk, (name, top, sk)
        argmax_acc = float(accuracy_score(y, np.argmax(m, axis=1)))
        assert argmax_acc == top["1"]
        out[name] = dict(scores=m.tolist(), labels=y.tolist(), reference=s["reference"],
                         top_k_accuracy=top, sklearn_top_k_accuracy=sk, argmax_accuracy=argmax_acc)
    pred = rng.integers(0, 4, size=70)
    lab = rng.integers(0, 4, size=70)
    out["accuracy_70"] = dict(predicted=pred.tolist(), labels=lab.tolist(), accuracy=float(accuracy_score(lab, pred)))
    return out


def main():
    sets = make_sets()
    pairs = {}
    for name, s in sets.items():
        pairs[name] = dict(
            true=s["true"].tolist(), pred=s["pred"].tolist(), bin=s["bin"].tolist(),
            predicted01=s["predicted01"].tolist(), expected=pair_metrics(s),
        )
    perplexity = [
        dict(sum_nll=s, count=c, perplexity=float(np.exp(s / c)))
        for s, c in [(0.0, 1), (2.302585092994046, 1), (1234.5678, 517), (88.0, 40), (5.0e3, 1000)]
    ]
    golden = dict(
        generator="test/golden/metrics/make_golden.py",
        seed=SEED,
        versions=dict(numpy=np.__version__, scipy=scipy.__version__, sklearn=sklearn.__version__),
        proteingym=proteingym_reference.LOADED,
        pairs=pairs,
        classification=classification_sets(),
        perplexity=perplexity,
    )
    with open(OUT, "w") as f:
        json.dump(nan_to_none(golden), f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
