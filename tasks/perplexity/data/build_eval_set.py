#!/usr/bin/env python3
"""Builds the held-out natural evaluation set of the perplexity task.

Deterministic and language-independent: each record of a proteome is ranked by
sha256("plmbench-perplexity-v1:" + accession); records are kept in that order when they
(1) use only the 20 standard amino acids, (2) have 50 to 400 residues (the upper bound keeps the
O(L^2) cost of pseudo-perplexity affordable on a CPU; it biases the set towards shorter proteins),
(3) are not an exact duplicate of a sequence already kept. The first 50 of each proteome form the
full tier (100 sequences); the first 10 of each form the smoke tier (20 sequences), recorded with
`tier=smoke` in the header.

Usage: build_eval_set.py <shared data/sequences dir> <out.fasta>
"""
import gzip
import hashlib
import sys

PROTEOMES = [("UP000000625-E.coli.fasta.gz", "E.coli"), ("UP000002311-S.cerevisiae.fasta.gz", "S.cerevisiae")]
STANDARD = set("ACDEFGHIKLMNPQRSTVWY")
PER_PROTEOME_FULL = 50
PER_PROTEOME_SMOKE = 10


def read_fasta(path):
    header, chunks = None, []
    with gzip.open(path, "rt") as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                if header is not None:
                    yield header, "".join(chunks)
                header, chunks = line[1:], []
            elif line:
                chunks.append(line)
    if header is not None:
        yield header, "".join(chunks)


def main(src, out):
    kept = []
    for fname, organism in PROTEOMES:
        records = []
        for header, seq in read_fasta(f"{src}/{fname}"):
            accession = header.split("|")[1]
            key = hashlib.sha256(f"plmbench-perplexity-v1:{accession}".encode()).hexdigest()
            records.append((key, accession, header, seq))
        records.sort()
        seen = set()
        n = 0
        for key, accession, header, seq in records:
            if not (50 <= len(seq) <= 400) or not set(seq) <= STANDARD or seq in seen:
                continue
            seen.add(seq)
            tier = "smoke" if n < PER_PROTEOME_SMOKE else "full"
            kept.append((accession, organism, tier, header, seq))
            n += 1
            if n == PER_PROTEOME_FULL:
                break
    with open(out, "w") as f:
        for accession, organism, tier, header, seq in kept:
            name = header.split(" ")[0]
            f.write(f">{name} organism={organism} tier={tier} length={len(seq)}\n")
            for i in range(0, len(seq), 60):
                f.write(seq[i : i + 60] + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
