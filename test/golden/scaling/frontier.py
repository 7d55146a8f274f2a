"""Golden values for test/scaling.laws.test.ts and test/scaling.interpolate.test.ts, computed with numpy
independently of the TypeScript code. Run: python3 test/golden/scaling/frontier.py > test/golden/scaling/frontier.json

Laws (results/baselines/scaling-laws.json, Cheng et al. 2024): N_opt = A C^a, D_opt = B C^b.
"""
import json
import numpy as np

LAWS = {"clm": (1.26e-3, 0.578, 1.23e2, 0.422), "mlm": (6.19e-8, 0.776, 2.02e6, 0.230)}


def frontier(C, N, D):
    out = {}
    for k, (A, a, B, b) in LAWS.items():
        n_opt = A * np.power(np.float64(C), a)
        d_opt = B * np.power(np.float64(C), b)
        out[k] = {"nOpt": float(n_opt), "dOpt": float(d_opt), "nRatio": float(N / n_opt), "dRatio": float(D / d_opt)}
    return out


# ESM-2 650M: N = 651,000,320 non-embedding (param_counts.py), D = 1e12 tokens.
esm650 = {"N": 651000320, "D": 1e12}
esm650["C"] = 6.0 * esm650["N"] * esm650["D"]
esm650["frontier"] = frontier(esm650["C"], esm650["N"], esm650["D"])
# The seed paper's 10.7B MLM at 1.72e22 FLOPs (card gives trainFlops; D = C / 6N).
m107 = {"N": 1.07e10, "C": 1.72e22}
m107["D"] = m107["C"] / (6 * m107["N"])
m107["frontier"] = frontier(m107["C"], m107["N"], m107["D"])
# The 7.2B CLM at 1.15e22.
c72 = {"N": 7.2e9, "C": 1.15e22}
c72["D"] = c72["C"] / (6 * c72["N"])
c72["frontier"] = frontier(c72["C"], c72["N"], c72["D"])

# Interpolation linear in log10 C on hand-made points.
pts = [(1e18, 0.20), (1e20, 0.30), (1e21, 0.50)]
queries = [3e18, 1e19, 5e20, 1e20, 2e17, 4e21]
interp = []
for q in queries:
    xs = np.log10([p[0] for p in pts])
    ys = np.array([p[1] for p in pts])
    v = float(np.interp(np.log10(q), xs, ys))  # np.interp clamps to the end values outside the range
    interp.append({"flops": q, "value": v})

print(json.dumps({"esm2_650m": esm650, "mlm_10_7b": m107, "clm_7_2b": c72,
                  "interpolation": {"points": [{"flops": f, "score": s} for f, s in pts], "queries": interp}}, indent=2))
