#!/usr/bin/python3
"""Golden values for src/probe/, computed with scikit-learn on seeded synthetic data.

Run from the repository root with a Python that has scikit-learn (Debian's /usr/bin/python3 here):

    /usr/bin/python3 test/golden/probe/make_golden.py

It rewrites test/golden/probe/{standardize,multinomial,validation,l1,ridge}.json. Features are rounded to
4 decimals before fitting, so the JSON holds exactly the doubles scikit-learn saw. Generated with
scikit-learn 1.2.1, numpy 1.24.2 (recorded in each file).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

OUT = os.path.dirname(os.path.abspath(__file__))
META = {"generator": "test/golden/probe/make_golden.py", "sklearn": sklearn.__version__, "numpy": np.__version__}


def r4(a):
    return np.round(np.asarray(a, dtype=np.float64), 4)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def dump(name, obj):
    obj = {"meta": META, **obj}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def clusters(rng, n, d, k, spread, sizes=None):
    """Gaussian class clusters with overlap: class means ~ N(0, spread^2), unit within-class noise."""
    means = rng.normal(0.0, spread, size=(k, d))
    p = np.ones(k) / k if sizes is None else np.asarray(sizes, dtype=float) / np.sum(sizes)
    y = rng.choice(k, size=n, p=p)
    x = means[y] + rng.normal(size=(n, d))
    return x, y


def multinomial_objective(coef, intercept, x, y_idx, C):
    """C * sum_i -log softmax(x_i coef^T + b)[y_i] + 0.5 ||coef||^2 (scikit-learn's lbfgs objective)."""
    z = x @ coef.T + intercept
    zmax = z.max(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
    return float(C * np.sum(lse - z[np.arange(len(y_idx)), y_idx]) + 0.5 * np.sum(coef * coef))


def multinomial_refine(coef, intercept, x, y_idx, C):
    """Polishes scikit-learn's solution of the same objective (its lbfgs stops at scipy's default
    ftol = 2.2e-9 relative decrease, which leaves ~1e-4 in the coefficients): Newton's method with the exact
    Hessian (least-squares steps: the intercepts' common shift is a flat direction) from scikit-learn's point,
    to rounding precision. Returns coef, centred intercept, objective, max |gradient|."""
    k, d = coef.shape
    n = x.shape[0]
    xt = np.hstack([x, np.ones((n, 1))])
    yoh = np.eye(k)[y_idx]
    pen = np.ones((k, d + 1))
    pen[:, d] = 0.0  # intercept unpenalised

    def parts(t):  # t: k x (d+1), row k = [w_k, b_k]
        z = xt @ t.T
        zmax = z.max(axis=1, keepdims=True)
        e = np.exp(z - zmax)
        s = e.sum(axis=1, keepdims=True)
        f = C * np.sum(zmax[:, 0] + np.log(s[:, 0]) - z[np.arange(n), y_idx]) + 0.5 * np.sum(pen * t * t)
        p = e / s
        g = C * (p - yoh).T @ xt + pen * t
        return f, g, p

    t = np.hstack([coef, intercept[:, None]])
    for _ in range(100):
        f, g, p = parts(t)
        # H[(k,a),(l,b)] = C sum_i (p_ik d_kl - p_ik p_il) xt_ia xt_ib + d_kl d_ab pen_ka
        h = C * (np.einsum("ik,ia,ib->kab", p, xt, xt)[:, :, None, :] * np.eye(k)[:, None, :, None]
                 - np.einsum("ik,il,ia,ib->kalb", p, p, xt, xt))
        h = h.reshape(k * (d + 1), k * (d + 1)) + np.diag(pen.ravel())
        step = np.linalg.lstsq(h, g.ravel(), rcond=None)[0].reshape(k, d + 1)
        t = t - step
        if np.abs(step).max() < 1e-15:
            break
    f, g, _ = parts(t)
    b = t[:, d]
    return t[:, :d], b - b.mean(), float(f), float(np.abs(g).max())


def top2_margin(proba):
    s = np.sort(proba, axis=1)
    return s[:, -1] - s[:, -2]


def fit_lr(C):
    return LogisticRegression(C=C, penalty="l2", multi_class="multinomial", solver="lbfgs", tol=1e-12, max_iter=100000)


def standardize_case():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(40, 5)) * np.array([1.0, 10.0, 0.01, 1.0, 3.0]) + np.array([0.0, 5.0, -2.0, 0.0, 1.0])
    x[:, 3] = 7.25  # constant column
    x = r4(x)
    sc = StandardScaler().fit(x)
    z = r4(rng.normal(size=(6, 5)) * 3)
    dump("standardize.json", {
        "x": {"rows": 40, "cols": 5, "data": flat(x)},
        "mean": flat(sc.mean_), "scale": flat(sc.scale_), "constant": [3],
        "apply": {"rows": 6, "cols": 5, "data": flat(z), "expected": flat(sc.transform(z))},
    })


def multinomial_case(name, seed, n, n_test, d, k, spread, C, labels, col_scale=None, standardize=False, sizes=None):
    rng = np.random.default_rng(seed)
    x, y_idx = clusters(rng, n + n_test, d, k, spread, sizes)
    if col_scale is not None:
        x = x * col_scale + rng.normal(0, 3, size=d)
    x = r4(x)
    y = np.asarray(labels)[y_idx]
    xtr, ytr, xte, yte = x[:n], y[:n], x[n:], y[n:]
    lr = fit_lr(C)
    if standardize:
        sc = StandardScaler().fit(xtr)
        lr.fit(sc.transform(xtr), ytr)
        proba = lr.predict_proba(sc.transform(xte))
        xfit = sc.transform(xtr)
    else:
        lr.fit(xtr, ytr)
        proba = lr.predict_proba(xte)
        xfit = xtr
    coef = lr.coef_
    intercept = lr.intercept_ - lr.intercept_.mean()
    if len(lr.classes_) == 2:
        # scikit-learn reports only class 1's row for a binary multinomial fit; class 0's is its negative
        coef = np.vstack([-coef, coef])
        intercept = np.concatenate([-lr.intercept_, lr.intercept_])
    ytr_idx = np.searchsorted(lr.classes_, ytr)
    obj = multinomial_objective(coef, intercept, xfit, ytr_idx, C)
    rcoef, rint, robj, rgrad = multinomial_refine(coef, intercept, xfit, ytr_idx, C)
    assert robj <= obj and rgrad < 1e-9, (robj, obj, rgrad)
    pred = lr.classes_[np.argmax(proba, axis=1)]
    return name, {
        "C": C, "standardize": standardize, "classes": [int(c) for c in lr.classes_],
        "xTrain": {"rows": n, "cols": d, "data": flat(xtr)}, "yTrain": [int(v) for v in ytr],
        "xTest": {"rows": n_test, "cols": d, "data": flat(xte)}, "yTest": [int(v) for v in yte],
        "coef": flat(coef), "intercept": flat(intercept), "objective": obj, "nIter": int(lr.n_iter_[0]),
        "refined": {"coef": flat(rcoef), "intercept": flat(rint), "objective": robj, "maxGrad": rgrad},
        "probaTest": flat(proba), "predTest": [int(v) for v in pred], "marginTest": flat(top2_margin(proba)),
        "trainAccuracy": float(lr.score(xfit, ytr)),
    }


def multinomial_golden():
    cases = dict([
        multinomial_case("basic", 1, 300, 120, 8, 4, 1.0, 0.5, [0, 1, 2, 3]),
        # unequal class sizes, labels that are not 0..K-1, features on very different scales, standardized
        multinomial_case("scaled", 2, 260, 100, 6, 5, 1.1, 2.0, [2, 5, 7, 11, 13],
                         col_scale=np.array([0.01, 1.0, 100.0, 3.0, 0.3, 20.0]), standardize=True,
                         sizes=[5, 3, 2, 1, 1]),
        # strong penalty, many classes relative to rows
        multinomial_case("strong", 3, 200, 80, 5, 7, 1.5, 0.01, list(range(7))),
        # two classes: full (two-row) parametrisation, rows negatives of each other
        multinomial_case("binary", 8, 120, 40, 4, 2, 0.8, 0.5, [0, 1]),
    ])
    dump("multinomial.json", {"cases": cases})


def validation_golden():
    rng = np.random.default_rng(4)
    d, k = 10, 5
    x, y = clusters(rng, 250 + 150, d, k, 0.45)
    x = r4(x)
    xtr, ytr, xva, yva = x[:250], y[:250], x[250:], y[250:]
    Cs = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    accs, margins = [], []
    for C in Cs:
        lr = fit_lr(C).fit(xtr, ytr)
        accs.append(float(lr.score(xva, yva)))
        margins.append(float(top2_margin(lr.predict_proba(xva)).min()))
    best = max(range(len(Cs)), key=lambda i: (accs[i], -i))  # ties -> smaller C
    dump("validation.json", {
        "xTrain": {"rows": 250, "cols": d, "data": flat(xtr)}, "yTrain": [int(v) for v in ytr],
        "xVal": {"rows": 150, "cols": d, "data": flat(xva)}, "yVal": [int(v) for v in yva],
        "Cs": Cs, "valAccuracy": accs, "minMargin": margins, "bestC": Cs[best],
    })


def l1_objective(coef, intercept, x, y, C, penalize_intercept):
    z = x @ coef + intercept
    s = np.where(y == 1, 1.0, -1.0)
    loss = np.logaddexp(0.0, -s * z).sum()
    return float(np.abs(coef).sum() + (abs(intercept) if penalize_intercept else 0.0) + C * loss)


def l1_case(name, seed, n, d, nnz, C, bias, nonneg=False, liblinear=True):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, 0.5, size=(n, d)) if nonneg else rng.normal(size=(n, d))
    x = r4(x)
    w = np.zeros(d)
    w[rng.choice(d, nnz, replace=False)] = rng.choice([-1.0, 1.0], nnz) * rng.uniform(1.0, 2.0, nnz)
    p = 1.0 / (1.0 + np.exp(-(x @ w + bias)))
    y = (rng.uniform(size=n) < p).astype(int)
    solver = dict(solver="liblinear", tol=1e-10, max_iter=1000000) if liblinear else dict(solver="saga", tol=1e-10, max_iter=1000000)
    lr = LogisticRegression(penalty="l1", C=C, random_state=0, **solver).fit(x, y)
    coef, b = lr.coef_[0], float(lr.intercept_[0])
    # KKT margin of the zero coefficients: |C * X^T (sigmoid(z) - y)| must be clearly below 1 for a "clear" pattern
    z = x @ coef + b
    g = C * x.T @ (1.0 / (1.0 + np.exp(-z)) - y)
    zero = np.abs(coef) == 0
    xt = r4(rng.normal(size=(50, d)) if not nonneg else rng.gamma(2.0, 0.5, size=(50, d)))
    return name, {
        "C": C, "penalizeIntercept": liblinear, "solver": solver["solver"],
        "x": {"rows": n, "cols": d, "data": flat(x)}, "y": [int(v) for v in y],
        "coef": flat(coef), "intercept": b, "objective": l1_objective(coef, b, x, y, C, liblinear),
        "zero": [int(j) for j in np.flatnonzero(zero)],
        "maxZeroGrad": float(np.abs(g[zero]).max()) if zero.any() else 0.0,
        "minNonzeroAbs": float(np.abs(coef[~zero]).min()),
        "xTest": {"rows": 50, "cols": d, "data": flat(xt)}, "probaTest": flat(lr.predict_proba(xt)[:, 1]),
    }


def l1_golden():
    cases = dict([
        l1_case("liblinear", 5, 400, 15, 4, 0.05, -0.5),
        l1_case("saga", 5, 400, 15, 4, 0.05, -0.5, liblinear=False),  # same data as "liblinear" (same seed)
        # contact-head-like: non-negative features, ~10% positives, ESM's C = 0.15
        l1_case("imbalanced", 6, 500, 12, 3, 0.15, -5.0, nonneg=True),
    ])
    same = cases["saga"]
    assert same["x"] == cases["liblinear"]["x"] and same["y"] == cases["liblinear"]["y"]
    same["x"] = same["y"] = "liblinear"  # reference instead of a copy, to keep the file small
    for c in cases.values():
        # a "clear" sparsity pattern: zero coefficients well inside the KKT bound, nonzero ones well away from 0
        c["clearPattern"] = c["maxZeroGrad"] < 0.9 and c["minNonzeroAbs"] > 1e-2
    dump("l1.json", {"cases": cases})


def ridge_golden():
    rng = np.random.default_rng(7)
    n, d = 80, 6
    x = r4(rng.normal(size=(n, d)) + rng.normal(0, 2, size=d))
    w = rng.normal(size=(2, d))
    y = r4(x @ w.T + np.array([1.5, -3.0]) + 0.3 * rng.normal(size=(n, 2)))
    xt = r4(rng.normal(size=(10, d)))
    m1 = Ridge(alpha=1.5, fit_intercept=True).fit(x, y)
    m2 = Ridge(alpha=0.3, fit_intercept=False).fit(x, y[:, 0])
    dump("ridge.json", {
        "x": {"rows": n, "cols": d, "data": flat(x)}, "y": {"rows": n, "cols": 2, "data": flat(y)},
        "xTest": {"rows": 10, "cols": d, "data": flat(xt)},
        "withIntercept": {"alpha": 1.5, "coef": flat(m1.coef_), "intercept": flat(m1.intercept_), "predTest": flat(m1.predict(xt))},
        "noIntercept": {"alpha": 0.3, "coef": flat(m2.coef_), "predTest": flat(m2.predict(xt))},
    })


if __name__ == "__main__":
    standardize_case()
    multinomial_golden()
    validation_golden()
    l1_golden()
    ridge_golden()
    for f in sorted(os.listdir(OUT)):
        if f.endswith(".json"):
            print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")
