"""Golden values for test/scaling.laws.test.ts and test/scaling.interpolate.test.ts, computed with numpy
independently of the TypeScript code. Run: python3 test/golden/scaling/frontier.py > test/golden/scaling/frontier.json

Laws: every set of results/baselines/scaling-laws.json (N_opt = A C^a, D_opt = B C^b), read from the file
so that a data change regenerates the goldens; the arithmetic here is numpy's, not the harness's.
"""
import json
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
data = json.load(open(os.path.join(HERE, "..", "..", "..", "results", "baselines", "scaling-laws.json")))
SETS = {s["id"]: {o: (s["laws"][o]["A"], s["laws"][o]["a"], s["laws"][o]["B"], s["laws"][o]["b"]) for o in ("clm", "mlm")} for s in data["sets"]}


def frontier(C, N, D):
    out = {}
    for sid, laws in SETS.items():
        out[sid] = {}
        for k, (A, a, B, b) in laws.items():
            n_opt = A * np.power(np.float64(C), a)
            d_opt = B * np.power(np.float64(C), b)
            out[sid][k] = {"nOpt": float(n_opt), "dOpt": float(d_opt), "nRatio": float(N / n_opt), "dRatio": float(D / d_opt)}
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
# The bundled example models' order of magnitude: N = 1e6, C = 5e13.
tiny = {"N": 1e6, "C": 5e13}
tiny["D"] = tiny["C"] / (6 * tiny["N"])
tiny["frontier"] = frontier(tiny["C"], tiny["N"], tiny["D"])

# Largest relative difference of N_opt between the two sets over 1e18..1e21 FLOPs (log grid).
grid = np.power(10.0, np.linspace(18, 21, 301))
ids = list(SETS)
spread = {}
for o in ("clm", "mlm"):
    n0 = SETS[ids[0]][o][0] * np.power(grid, SETS[ids[0]][o][1])
    n1 = SETS[ids[1]][o][0] * np.power(grid, SETS[ids[1]][o][1])
    spread[o] = float(np.max(np.abs(n0 / n1 - 1)))

# Interpolation linear in log10 C on hand-made points.
pts = [(1e18, 0.20), (1e20, 0.30), (1e21, 0.50)]
queries = [3e18, 1e19, 5e20, 1e20, 2e17, 4e21]
interp = []
for q in queries:
    xs = np.log10([p[0] for p in pts])
    ys = np.array([p[1] for p in pts])
    v = float(np.interp(np.log10(q), xs, ys))  # np.interp clamps to the end values outside the range
    interp.append({"flops": q, "value": v})

print(json.dumps({"esm2_650m": esm650, "mlm_10_7b": m107, "clm_7_2b": c72, "tiny": tiny, "nOptSpread_1e18_1e21": spread,
                  "interpolation": {"points": [{"flops": f, "score": s} for f, s in pts], "queries": interp}}, indent=2))
