#!/usr/bin/env python3
"""Builds the bundled data of the generation task. Deterministic and language-independent: every choice is
made from sha256 ranks or from a sha256 counter stream, never from a library RNG.

Inputs (paths relative to the repository root):
  $PLMBENCH_SOURCE_DATA/sequences/UP000000625-E.coli.fasta.gz, UP000002311-S.cerevisiae.fasta.gz
      UniProt reference proteomes (CC BY 4.0), skinnider/CFdb-searches @ 1f84d40a, data/fasta/filtered/
  models/train/split-accessions.tsv.gz
      the example models' training split (models/train/SPLIT.md): every record that is NOT in training
  tasks/perplexity/data/natural-heldout.fasta
      the perplexity task's 100 held-out proteins (excluded from training with their homologs)

Outputs (in this folder):
  reference.fasta.gz      the natural reference set: every proteome record in the example models' training
                          part (9,853), in proteome then file order; header ">ACCESSION organism=...".
                          Novelty (max identity) and the background amino-acid composition use it.
  control.fasta           the natural control: the perplexity task's 100 held-out proteins (never trained on,
                          homologs excluded), ordered by sha256("plmbench-generation-control-v1:" + accession).
  proxy-dev.txt           the 40 proteins (validation part of the split, 60-250 residues) on which the proxy's
                          formula was chosen; excluded from the validation set below.
  proxy-validation.fasta  the proxy's validation set: 24 natural proteins of the split's validation part (60-150
                          residues, 20 standard amino acids, not in proxy-dev.txt), ranked by
                          sha256("plmbench-generation-proxy-v1:" + accession), each followed by 5 corrupted
                          versions (kind=shuffled, kind=repeat, kind=substituted level=0.15/0.3/0.5). The first
                          12 naturals and their versions are the smoke tier (tier=smoke).

Usage: python3 tasks/generation/data/build_data.py   (from the repository root)
"""
import gzip
import hashlib
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SEQ_DIR = os.path.join(os.environ.get("PLMBENCH_SOURCE_DATA") or sys.exit("set PLMBENCH_SOURCE_DATA to the source-data folder"), "sequences")
OUT = os.path.dirname(os.path.abspath(__file__))

sys.path.insert(0, os.path.join(ROOT, "models", "train"))
from plm_data import read_fasta  # noqa: E402  (gzip by file extension)

PROTEOMES = [("UP000000625-E.coli.fasta.gz", "E.coli"), ("UP000002311-S.cerevisiae.fasta.gz", "S.cerevisiae")]
STANDARD = "ACDEFGHIKLMNPQRSTVWY"
STANDARD_SET = set(STANDARD)
VALIDATION_N = 24
VALIDATION_SMOKE = 12
LEVELS = ["0.15", "0.3", "0.5"]
DEV_N = 40


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


class Stream:
    """Uniform numbers in [0, 1): u_k = int(sha256(label + ":" + k)[:13], 16) / 16**13, k = 0, 1, ..."""

    def __init__(self, label):
        self.label = label
        self.k = 0

    def next(self):
        u = int(sha(f"{self.label}:{self.k}")[:13], 16) / float(16**13)
        self.k += 1
        return u

    def int(self, n):
        return min(n - 1, int(self.next() * n))


def wrap(seq):
    return "".join(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60))


def main():
    part = {}
    with gzip.open(os.path.join(ROOT, "models", "train", "split-accessions.tsv.gz"), "rt") as f:
        next(f)
        for line in f:
            acc, organism, p = line.rstrip("\n").split("\t")[:3]
            part[acc] = p
    records = []  # (accession, organism, sequence)
    for fname, organism in PROTEOMES:
        for header, seq in read_fasta(os.path.join(SEQ_DIR, fname)):
            records.append((header.split("|")[1], organism, seq))

    # Reference: the training part (every record not listed in split-accessions).
    train = [r for r in records if r[0] not in part]
    with open(os.path.join(OUT, "reference.fasta.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            for acc, organism, seq in train:
                gz.write(f">{acc} organism={organism}\n{wrap(seq)}".encode())
    composition = {a: 0 for a in STANDARD}
    for _, _, seq in train:
        for c in seq:
            if c in composition:
                composition[c] += 1
    total = sum(composition.values())
    background = {a: composition[a] / total for a in STANDARD}

    # Control: the perplexity task's held-out set, re-ordered.
    control = []
    for header, seq in read_fasta(os.path.join(ROOT, "tasks", "perplexity", "data", "natural-heldout.fasta")):
        name = header.split(" ")[0]
        acc = name.split("|")[1]
        organism = header.split("organism=")[1].split(" ")[0]
        control.append((sha(f"plmbench-generation-control-v1:{acc}"), acc, organism, name, seq))
    control.sort()
    with open(os.path.join(OUT, "control.fasta"), "w") as f:
        for _, acc, organism, name, seq in control:
            f.write(f">{acc} organism={organism} length={len(seq)} source=tasks/perplexity/data/natural-heldout.fasta:{name}\n{wrap(seq)}")

    # Validation part of the split, standard residues only.
    val = [r for r in records if part.get(r[0]) == "val" and set(r[2]) <= STANDARD_SET]
    dev = sorted((sha(f"dev:{acc}"), acc) for acc, _, seq in val if 60 <= len(seq) <= 250)[:DEV_N]
    dev_set = {acc for _, acc in dev}
    with open(os.path.join(OUT, "proxy-dev.txt"), "w") as f:
        f.write("# proteins on which the plddt_proxy formula was chosen (see README); excluded from proxy-validation.fasta\n")
        for _, acc in dev:
            f.write(acc + "\n")
    candidates = sorted(
        (sha(f"plmbench-generation-proxy-v1:{acc}"), acc, organism, seq)
        for acc, organism, seq in val
        if 60 <= len(seq) <= 150 and acc not in dev_set
    )[:VALIDATION_N]
    letters = STANDARD
    cumulative = []
    acc_p = 0.0
    for a in letters:
        acc_p += background[a]
        cumulative.append(acc_p)

    def draw_background(stream):
        u = stream.next() * acc_p
        for a, c in zip(letters, cumulative):
            if u < c:
                return a
        return letters[-1]

    with open(os.path.join(OUT, "proxy-validation.fasta"), "w") as f:
        for rank, (_, acc, organism, seq) in enumerate(candidates):
            tier = "smoke" if rank < VALIDATION_SMOKE else "full"
            L = len(seq)
            f.write(f">{acc} kind=natural level=0 source={acc} organism={organism} tier={tier}\n{wrap(seq)}")
            # Shuffled: Fisher-Yates, j drawn from [0, i].
            s = list(seq)
            st = Stream(f"shuffle:{acc}")
            for i in range(L - 1, 0, -1):
                j = st.int(i + 1)
                s[i], s[j] = s[j], s[i]
            f.write(f">{acc}~shuffled kind=shuffled level=0 source={acc} organism={organism} tier={tier}\n{wrap(''.join(s))}")
            # Repeat: a block of floor(L/2) residues replaced by a tandem repeat of a 1-6 residue motif of the protein.
            st = Stream(f"repeat:{acc}")
            half = L // 2
            start = st.int(L - half + 1)
            motif_len = 1 + st.int(6)
            motif_at = st.int(L - motif_len + 1)
            motif = seq[motif_at : motif_at + motif_len]
            block = (motif * (half // motif_len + 1))[:half]
            rep = seq[:start] + block + seq[start + half :]
            f.write(f">{acc}~repeat kind=repeat level=0 source={acc} organism={organism} tier={tier} motif={motif}\n{wrap(rep)}")
            # Substituted: round(level * L) distinct positions redrawn from the background composition.
            for level in LEVELS:
                st = Stream(f"substitute:{level}:{acc}")
                k = round(float(level) * L)
                idx = list(range(L))
                for i in range(k):  # partial Fisher-Yates: the first k of a random permutation
                    j = i + st.int(L - i)
                    idx[i], idx[j] = idx[j], idx[i]
                s = list(seq)
                for i in idx[:k]:
                    s[i] = draw_background(st)
                f.write(f">{acc}~sub{level} kind=substituted level={level} source={acc} organism={organism} tier={tier}\n{wrap(''.join(s))}")


if __name__ == "__main__":
    main()
