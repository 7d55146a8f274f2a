#!/usr/bin/python3
"""Golden values for tasks/supervised-fitness/cv.ts and onehot.ts, computed with scikit-learn and scipy.

Run from the repository root with a Python that has scikit-learn and scipy (Debian's python3-sklearn,
python3-scipy: `apt-get install python3-sklearn python3-scipy`):

    /usr/bin/python3 test/golden/supervised-fitness/make_golden.py

It rewrites test/golden/supervised-fitness/ridge_cv.json. Inputs are rounded to 4 decimals before fitting,
so the JSON holds exactly the doubles scikit-learn saw. The protocol replicated here, independently of the
TypeScript code:
  for each test fold f_i (labels sorted), validation fold f_(i+1 mod K); StandardScaler + Ridge(alpha) fitted
  on the other folds for every alpha of the grid, scored by mean squared error on the validation fold; the
  lowest wins, ties to the larger alpha; StandardScaler + Ridge refitted on all training
  folds at that alpha predicts the test fold; spearmanr of all out-of-fold predictions against y. Predictions
  are snapped to a grid of 1e-10 of their largest magnitude before every Spearman, so that predictions equal
  up to roundoff tie in both implementations.
The one-hot case does the same with Ridge on the dense flattened one-hot (L x 26) of each sequence, not
standardized.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler

OUT = os.path.dirname(os.path.abspath(__file__))
META = {"generator": "test/golden/supervised-fitness/make_golden.py", "sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
EMB_ALPHAS = [1e-2, 1e-1, 1, 10, 1e2, 1e3, 1e4, 1e5]
OH_ALPHAS = [1e-2, 1e-1, 1, 10, 1e2, 1e3]


def r4(a):
    return np.round(np.asarray(a, dtype=np.float64), 4)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def snap(p):
    scale = np.max(np.abs(p))
    return p if not scale > 0 else np.floor(p / scale * 1e10 + 0.5) / 1e10 * scale


def rho(p, y):
    p = snap(p)
    return spearmanr(p, y)[0] if np.ptp(p) > 0 else np.nan


def cv(X, y, folds, alphas, standardize):
    labels = sorted(set(int(f) for f in folds))
    pred = np.full(len(y), np.nan)
    fits = []
    for i, test in enumerate(labels):
        val = labels[(i + 1) % len(labels)]
        inner = (folds != test) & (folds != val)
        vmask = folds == val
        train = folds != test
        best, best_loss, scores = alphas[-1], np.inf, []
        for a in alphas:
            Xi, Xv = X[inner], X[vmask]
            if standardize:
                sc = StandardScaler().fit(Xi)
                Xi, Xv = sc.transform(Xi), sc.transform(Xv)
            p = Ridge(alpha=a).fit(Xi, y[inner]).predict(Xv)
            loss = float(np.mean((p - y[vmask]) ** 2))
            s = rho(p, y[vmask])
            scores.append({"mse": loss, "spearman": None if np.isnan(s) else float(s)})
            if loss <= best_loss:
                best, best_loss = a, loss
        Xt, Xs = X[train], X[folds == test]
        if standardize:
            sc = StandardScaler().fit(Xt)
            Xt, Xs = sc.transform(Xt), sc.transform(Xs)
        pred[folds == test] = Ridge(alpha=best).fit(Xt, y[train]).predict(Xs)
        fits.append({"test": test, "validation": val, "alpha": best, "scores": scores})
    return {"predictions": flat(pred), "spearman": float(rho(pred, y)), "folds": fits}


def embedding_case(seed, n, d, noise, k):
    rng = np.random.default_rng(seed)
    X = r4(rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d))
    beta = rng.normal(size=d)
    y = r4(X @ beta + noise * rng.normal(size=n))
    folds = rng.permutation(np.arange(n) % k)
    return {"n": n, "d": d, "x": flat(X), "y": flat(y), "folds": [int(f) for f in folds], "alphas": EMB_ALPHAS,
            "expected": cv(X, y, folds, EMB_ALPHAS, True)}


def onehot_case(seed, L, n, k):
    rng = np.random.default_rng(seed)
    aa = "ACDEFGHIKLMNPQRSTVWY"
    wt = "".join(rng.choice(list(aa), size=L))
    effect = rng.normal(size=L)
    muts, seen = [], set()
    while len(muts) < n:
        depth = 1 if rng.uniform() < 0.8 else 2
        pos = sorted(rng.choice(L, size=depth, replace=False).tolist())
        subs = []
        for p in pos:
            mt = rng.choice([a for a in aa if a != wt[p]])
            subs.append((int(p), wt[p], str(mt)))
        key = tuple(subs)
        if key in seen:
            continue
        seen.add(key)
        muts.append(subs)
    X = np.zeros((n, L * 26))
    y = np.zeros(n)
    for i, subs in enumerate(muts):
        seq = list(wt)
        for p, _, mt in subs:
            seq[p] = mt
        for p, c in enumerate(seq):
            X[i, p * 26 + ord(c) - 65] = 1
        y[i] = sum(effect[p] * (1 + 0.1 * (ord(mt) - 65)) for p, _, mt in subs) + 0.3 * rng.normal()
    y = r4(y)
    folds = rng.permutation(np.arange(n) % k)
    return {"wildType": wt, "mutants": [":".join(f"{w}{p + 1}{m}" for p, w, m in s) for s in muts], "y": flat(y),
            "folds": [int(f) for f in folds], "alphas": OH_ALPHAS, "expected": cv(X, y, folds, OH_ALPHAS, False)}


def main():
    out = {
        "meta": META,
        "embedding": [embedding_case(1, 80, 6, 2.0, 5), embedding_case(2, 47, 12, 6.0, 4), embedding_case(3, 120, 3, 0.5, 5)],
        "onehot": [onehot_case(4, 12, 90, 5), onehot_case(5, 7, 40, 3)],
    }
    with open(os.path.join(OUT, "ridge_cv.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
