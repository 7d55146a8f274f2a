#!/usr/bin/env python3
"""Reference scores and identities for src/bio/align.ts (globalAlign / globalIdentity), from Biopython.

Run from the repository root with Debian's Python (Biopython 1.80):

    /usr/bin/python3 test/golden/bio/make_align_golden.py

Writes test/golden/bio/align_golden.json: seeded sequence pairs (a random protein, then point mutations,
insertions and deletions), the optimal global score under BLOSUM62 with gap open 10, extend 0.5 and free
end gaps (Bio.Align.PairwiseAligner; a gap of length k costs open + (k-1) * extend), the number of
optimal alignments, and the identical pairs of Biopython's first optimal alignment (compare identities
only where the optimum is unique).
"""
import json
import os
import random

from Bio.Align import PairwiseAligner, substitution_matrices

AA = 'ACDEFGHIKLMNPQRSTVWY'


def mutate(rng, s, n_sub, n_indel):
    s = list(s)
    for _ in range(n_sub):
        s[rng.randrange(len(s))] = rng.choice(AA)
    for _ in range(n_indel):
        k = rng.randrange(len(s))
        if rng.random() < 0.5:
            del s[k:k + rng.randint(1, 4)]
        else:
            s[k:k] = [rng.choice(AA) for _ in range(rng.randint(1, 4))]
    return ''.join(s)


def main():
    rng = random.Random(20240611)
    aligner = PairwiseAligner()
    aligner.mode = 'global'
    aligner.substitution_matrix = substitution_matrices.load('BLOSUM62')
    aligner.open_gap_score = -10
    aligner.extend_gap_score = -0.5
    aligner.end_gap_score = 0
    cases = []
    specs = [(40, 2, 0), (60, 6, 2), (80, 15, 3), (100, 30, 5), (50, 0, 0), (120, 10, 6), (30, 20, 2), (90, 40, 8)]
    for length, n_sub, n_indel in specs:
        a = ''.join(rng.choice(AA) for _ in range(length))
        b = mutate(rng, a, n_sub, n_indel)
        if rng.random() < 0.5:
            b = b[rng.randint(0, 8):]  # a truncated N-terminus exercises the free end gaps
        alns = aligner.align(a, b)
        best = alns[0]
        same = sum(1 for (s1, e1), (s2, e2) in zip(*best.aligned) for k in range(e1 - s1) if a[s1 + k] == b[s2 + k])
        n_opt = len(alns) if len(alns) < 1000 else 1000
        cases.append({'a': a, 'b': b, 'score': alns.score, 'n_optimal': n_opt, 'identical': same})
    # an unrelated pair
    a = ''.join(rng.choice(AA) for _ in range(70))
    b = ''.join(rng.choice(AA) for _ in range(65))
    alns = aligner.align(a, b)
    best = alns[0]
    same = sum(1 for (s1, e1), (s2, e2) in zip(*best.aligned) for k in range(e1 - s1) if a[s1 + k] == b[s2 + k])
    cases.append({'a': a, 'b': b, 'score': alns.score, 'n_optimal': min(len(alns), 1000), 'identical': same})
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'align_golden.json')
    with open(dest, 'w') as fh:
        json.dump({'generator': 'test/golden/bio/make_align_golden.py',
                   'scoring': 'BLOSUM62, gap open 10, extend 0.5, end gaps free', 'cases': cases}, fh, indent=1)
        fh.write('\n')
    for c in cases:
        print(len(c['a']), len(c['b']), c['score'], c['n_optimal'], c['identical'])


if __name__ == '__main__':
    main()
