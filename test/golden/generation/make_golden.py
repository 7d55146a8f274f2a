#!/usr/bin/env python3
"""Golden values for the generation task's tests (test/task.generation.*.test.ts), computed independently:

- SEG: a direct Python transliteration of NCBI seg.c (segseq / seqent / findlo / findhi / trim / getprob /
  lnperm / lnass / mergesegs, window 12, locut 2.2, hicut 2.5, maxtrim 100), written from the C source, not from
  the TypeScript port;
- Jensen-Shannon divergence: scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2;
- KL divergence: scipy.stats.entropy(p, q) (nats);
- exact internal repeats (8-mers seen twice or more), by dictionary;
- the plddt_proxy formula and the contact z-score with numpy;
- chi-square critical values: scipy.stats.chi2.ppf;
- ROC AUC: sklearn.metrics.roc_auc_score; Spearman: scipy.stats.spearmanr.

Run with Debian's python3 (numpy, scipy, sklearn): /usr/bin/python3 test/golden/generation/make_golden.py
Writes golden.json beside this file.
"""
import json
import math
import os

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2, entropy, spearmanr
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
STANDARD = "ACDEFGHIKLMNPQRSTVWY"

# ------------------------------------------------------------------------------------------- SEG (seg.c)
WINDOW, LOCUT, HICUT, MAXTRIM = 12, 2.2, 2.5, 100
DOWNSET = (WINDOW + 1) // 2 - 1
UPSET = WINDOW - DOWNSET


def lnfac(n):
    return math.lgamma(n + 1)


def state(sub):
    counts = [sub.count(a) for a in STANDARD]
    return sorted([c for c in counts if c > 0], reverse=True)


def entropy_bits(sub):
    n = len(sub)
    return -sum((c / n) * math.log2(c / n) for c in state(sub))


def lnperm(sv, tot):
    return lnfac(tot) - sum(lnfac(c) for c in sv)


def lnass(sv):
    # ln(20! / prod over classes of equal counts (zeros included) of class size!)
    full = sv + [0] * (20 - len(sv))
    ans = lnfac(20)
    i = 0
    while i < 20:
        j = i
        while j < 20 and full[j] == full[i]:
            j += 1
        ans -= lnfac(j - i)
        i = j
    return ans


def getprob(sub):
    sv = state(sub)
    return lnass(sv) + lnperm(sv, len(sub)) - len(sub) * math.log(20)


def seqent(seq):
    if WINDOW > len(seq):
        return None
    H = [-1.0] * len(seq)
    for i in range(DOWNSET, len(seq) - UPSET + 1):
        H[i] = entropy_bits(seq[i - DOWNSET : i - DOWNSET + WINDOW])
    return H


def findlo(i, limit, H):
    j = i
    while j >= limit:
        if H[j] == -1 or H[j] > HICUT:
            break
        j -= 1
    return j + 1


def findhi(i, limit, H):
    j = i
    while j <= limit:
        if H[j] == -1 or H[j] > HICUT:
            break
        j += 1
    return j - 1


def trim(sub):
    L = len(sub)
    lend, rend = 0, L - 1
    minlen = 1
    if L - MAXTRIM > minlen:
        minlen = L - MAXTRIM
    minprob = 1.0
    length = L
    while length > minlen:
        for i in range(0, L - length + 1):
            prob = getprob(sub[i : i + length])
            if prob < minprob:
                minprob = prob
                lend, rend = i, length + i - 1
        length -= 1
    return lend, rend, L


def segseq(seq, offset, segs):
    H = seqent(seq)
    if H is None:
        return
    first, last = DOWNSET, len(seq) - UPSET
    lowlim = first
    i = first
    while i <= last:
        if H[i] <= LOCUT and H[i] != -1:
            loi = findlo(i, lowlim, H)
            hii = findhi(i, last, H)
            leftend = loi - DOWNSET
            rightend = hii + UPSET - 1
            lend, rend, L = trim(seq[leftend : rightend + 1])
            leftend, rightend = leftend + lend, rightend - (L - rend - 1)
            if i + UPSET - 1 < leftend:
                l2 = loi - DOWNSET
                r2 = leftend - 1
                segseq(seq[l2 : r2 + 1], offset + l2, segs)
            segs.append([leftend + offset, rightend + offset])
            i = min(hii, rightend + DOWNSET)
            lowlim = i + 1
        i += 1


def seg(seq):
    segs = []
    segseq(seq, 0, segs)
    merged = []
    for s in segs:
        if merged and merged[-1][1] >= s[0]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(list(s))
    return merged


def repeat_mask(seq, k=8):
    pos = {}
    for i in range(len(seq) - k + 1):
        pos.setdefault(seq[i : i + k], []).append(i)
    mask = [0] * len(seq)
    for ps in pos.values():
        if len(ps) > 1:
            for p in ps:
                for j in range(p, p + k):
                    mask[j] = 1
    return mask


def read_fasta(path):
    out, h, c = [], None, []
    for line in open(path):
        line = line.strip()
        if line.startswith(">"):
            if h:
                out.append((h, "".join(c)))
            h, c = line[1:], []
        elif line:
            c.append(line)
    if h:
        out.append((h, "".join(c)))
    return out


def main():
    val = read_fasta(os.path.join(HERE, "..", "..", "..", "tasks", "generation", "data", "proxy-validation.fasta"))
    seg_cases = [s for _, s in val[:18]]  # 3 proteins with all their versions
    seg_cases += [
        "Q" * 30,
        "MKT" + "Q" * 25 + "LVFTRDEGHIWKPLSAV" + "AG" * 20 + "MKLLVWYFRDE",
        "ACDEFGHIKLMNPQRSTVWY" * 3,
        "MSTNPKPQRKTKRNTNRRPQDVKFPGGGQIVGGVYLLPRRGPRLGVRATRKTSERSQPRGRRQPIPKARRPEGRTWAQPGYPWPLYGNEGCGWAGWLLSPRGSRPSWGPTDPRRRSRNLGKVIDTLTCGFADLMGYIPLVGAPLGGAARALAHGVRVLEDGVNYATGNLPGCSFSIFLLALLSCLTVPASA",
        "PPPPPPPPPPGSGSGSGSGSGSGSEEEEEEEEEEKKKKKKKKKK",
        "MKVLA",
        "MASNNTASIAQARKLVEQLKMEANIDRIKVSKAAADLMAYCEAHAKEDPLLTPVPASENPFREKKFFCAIL" + "S" * 14 + "GGNNGGNNGGNN",
    ]
    seg_golden = [{"sequence": s, "segments": seg(s), "repeat": repeat_mask(s)} for s in seg_cases]

    rng = np.random.default_rng(7)
    comp = []
    for _ in range(4):
        p = rng.integers(0, 30, size=20).astype(float)
        q = rng.random(20) + 0.01
        p[rng.integers(0, 20)] = 0.0
        comp.append({"p": p.tolist(), "q": q.tolist(), "jsd": float(jensenshannon(p, q, base=2) ** 2),
                     "kl": float(entropy(p / p.sum(), q / q.sum()))})

    # plddt_proxy: G - max(0, KL(f||q) - 19/(2L) - tau), G = mean(logp) - mean(log q(x)).
    proxy = []
    bg = rng.random(20) + 0.2
    bg = bg / bg.sum()
    for s, tau in [(val[0][1], 0.0), (val[2][1], 0.05), ("Q" * 40 + val[0][1][:40], 0.114)]:
        logp = (-(rng.random(len(s)) * 4.0)).tolist()
        f = np.array([s.count(a) for a in STANDARD], float) / len(s)
        G = float(np.mean(logp) - np.mean([math.log(bg[STANDARD.index(c)]) for c in s]))
        kl = float(entropy(f, bg))
        proxy.append({"sequence": s, "logp": logp, "background": bg.tolist(), "tau": tau, "gain": G, "kl": kl,
                      "plddt_proxy": G - max(0.0, kl - 19 / (2 * len(s)) - tau)})

    # The reference set: background composition and tau (90th percentile of KL - 19/(2L), numpy linear).
    import gzip
    ref = []
    with gzip.open(os.path.join(HERE, "..", "..", "..", "tasks", "generation", "data", "reference.fasta.gz"), "rt") as fh:
        cur = None
        for line in fh:
            line = line.strip()
            if line.startswith(">"):
                if cur is not None:
                    ref.append("".join(cur))
                cur = []
            else:
                cur.append(line)
        ref.append("".join(cur))
    counts = np.array([sum(s.count(a) for s in ref) for a in STANDARD], float)
    q = counts / counts.sum()
    bias = []
    for s in ref:
        if len(s) >= 30 and set(s) <= set(STANDARD):
            f = np.array([s.count(a) for a in STANDARD], float) / len(s)
            bias.append(float(entropy(f, q)) - 19 / (2 * len(s)))
    reference = {"records": len(ref), "background": q.tolist(), "tau": float(np.percentile(bias, 90)), "proteins": len(bias)}

    # contact z: pairs (i<j, j-i>=6) row-major; z = (mean top-n of sep>=24 - mean all) / sd all (population).
    contact = []
    for n in [40, 73]:
        pairs = [(i, j) for i in range(n) for j in range(i + 6, n)]
        scores = rng.normal(size=len(pairs))
        for k, (i, j) in enumerate(pairs):
            if abs((j - i) - 30) < 3:
                scores[k] += 2.0
        longs = sorted([scores[k] for k, (i, j) in enumerate(pairs) if j - i >= 24], reverse=True)
        z = (np.mean(longs[:n]) - scores.mean()) / scores.std()
        contact.append({"n": n, "scores": scores.tolist(), "z": float(z)})

    # Validation statistics on a hand-made set: 5 proteins x (natural, shuffled, repeat, 3 levels).
    rows = []
    for p in range(5):
        base = rng.normal()
        rows.append({"source": f"P{p}", "kind": "natural", "level": 0, "score": base + 1.0})
        rows.append({"source": f"P{p}", "kind": "shuffled", "level": 0, "score": base + rng.normal() * 0.8})
        rows.append({"source": f"P{p}", "kind": "repeat", "level": 0, "score": base + 0.6 + rng.normal() * 0.8})
        for lv in [0.15, 0.3, 0.5]:
            rows.append({"source": f"P{p}", "kind": "substituted", "level": lv, "score": base + 1.0 - 2 * lv + rng.normal() * 0.3})
    nat = [r["score"] for r in rows if r["kind"] == "natural"]

    def auc(kinds):
        neg = [r["score"] for r in rows if r["kind"] in kinds]
        return float(roc_auc_score([1] * len(nat) + [0] * len(neg), nat + neg))

    rhos = []
    for p in range(5):
        series = [r for r in rows if r["source"] == f"P{p}" and r["kind"] in ("natural", "substituted")]
        rhos.append(spearmanr([r["level"] for r in series], [r["score"] for r in series])[0])
    validation = {"rows": rows, "auc_shuffled": auc(["shuffled"]), "auc_repeat": auc(["repeat"]),
                  "auc_corrupted": auc(["shuffled", "repeat"]), "spearman": float(np.mean(rhos))}

    golden = {
        "seg": seg_golden,
        "composition": comp,
        "proxy": proxy,
        "reference": reference,
        "contact": contact,
        "validation": validation,
        "chi2_999": {str(df): float(chi2.ppf(0.999, df)) for df in range(1, 22)},
    }
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
