#!/usr/bin/python3
"""Builds the train/validation split of the example models (rules in plm_data.py) and writes

  models/train/split-accessions.tsv.gz   committed: every record that is not in training
                                         (accession, organism, part = val|excluded|duplicate, reason)
  models/train/SPLIT.md                  committed: the rules and the counts
  models/train/out/data/split.tsv.gz     git-ignored: accession, organism, part, sequence of every record
                                         (what train.py --split-file reads; lets the training run where
                                         $PLMBENCH_SOURCE_DATA is absent)

Usage: make_split.py  (reads $PLMBENCH_SOURCE_DATA)
"""
import collections
import gzip
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plm_data as D  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    split = D.build_split()
    recs = split["records"]
    os.makedirs(os.path.join(HERE, "out", "data"), exist_ok=True)
    table = "".join(f"{r['accession']}\t{r['organism']}\t{r['part']}\t{r['seq']}\n" for r in recs).encode()
    with open(os.path.join(HERE, "out", "data", "split.tsv.gz"), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(table)
    listing = os.path.join(HERE, "split-accessions.tsv.gz")
    with open(listing, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(b"accession\torganism\tpart\treason\n")
        for r in recs:
            if r["part"] != "train":
                reason = f"{r['reason']} containment={r['containment']}" if r["part"] == "excluded" else ""
                gz.write(f"{r['accession']}\t{r['organism']}\t{r['part']}\t{reason}\n".encode())
    n = collections.Counter(r["part"] for r in recs)
    by_org = collections.Counter((r["organism"], r["part"]) for r in recs)
    res = collections.Counter(r["part"] for r in recs for _ in range(len(r["seq"])))
    ex = [r for r in recs if r["part"] == "excluded"]
    ex_src = collections.Counter(r["reason"].split(":")[0] for r in ex)
    same = sum(1 for r in ex if r["reason"].startswith("perplexity:") and r["reason"].split(":", 1)[1] == r["accession"])
    full = sum(1 for r in ex if r["containment"] >= 0.999)
    prot = collections.Counter(src for src, _, _ in split["protected"])
    eval_ids = {pid for src, pid, _ in split["protected"] if src == "perplexity"}
    in_train = [r["accession"] for r in recs if r["part"] in ("train", "val") and r["accession"] in eval_ids]
    assert not in_train, in_train
    kept = sorted(r["max_containment"] for r in recs if "max_containment" in r)
    q50, q90, q99 = (kept[int(q * (len(kept) - 1))] for q in (0.5, 0.9, 0.99))
    low = [r for r in recs if r.get("max_containment", 0) >= D.KMER_CONTAINMENT]
    n_low, low_len = len(low), max((len(r["seq"]) for r in low), default=0)
    digest = hashlib.sha256(table).hexdigest()
    orgs = sorted({r["organism"] for r in recs})
    rows = "\n".join(
        f"| {o} | {sum(by_org[(o, p)] for p in ('train', 'val', 'excluded', 'duplicate'))} | {by_org[(o, 'train')]} | "
        f"{by_org[(o, 'val')]} | {by_org[(o, 'excluded')]} | {by_org[(o, 'duplicate')]} |" for o in orgs)
    md = f"""# Training data split of the example models

Written by `make_split.py` (do not edit by hand); rules in `plm_data.py`.

Source: the UniProt reference proteomes in `$PLMBENCH_SOURCE_DATA/sequences/` (E. coli K-12 UP000000625,
S. cerevisiae UP000002311; UniProt, CC BY 4.0), {len(recs)} records.

Rules, in order:

1. **Exclusion of the evaluation sequences and their homologs.** A record is excluded when its 5-mer set
   K(a) and the 5-mer set K(b) of a protected sequence share at least {D.KMER_MIN_SHARED} 5-mers and
   |K(a) ∩ K(b)| / min(|K(a)|, |K(b)|) >= {D.KMER_CONTAINMENT} (containment of either's set). Protected:
   - the perplexity task's evaluation set `tasks/perplexity/data/natural-heldout.fasta` ({prot['perplexity']} sequences; required),
   - the wild types of the {prot['dms']} DMS assays in `$PLMBENCH_SOURCE_DATA/dms/` (from ProteinGym's reference file),
   - the SEQRES sequences of the {prot['structures']} chains in `$PLMBENCH_SOURCE_DATA/structures/index.csv`,
   so that the perplexity, fitness and contact tasks do not score the example models on their training
   data. The threshold: 0.05 with 3 shared 5-mers keeps out the cyclophilin, HU and J-domain homologs
   that a 0.10 cut let through, while one or two chance 5-mer matches (short peptides) do not exclude.
   Among the records kept, the largest containment against any protected sequence has median
   {q50:.3f}, 90th percentile {q90:.3f} and 99th percentile {q99:.3f}; {n_low} kept records reach 0.05 with
   fewer than 3 shared 5-mers (at most {low_len} residues long). Since a 5-mer survives at identity p
   with probability about p^5, a containment of 0.05 corresponds to roughly 55% identity or more;
   remote homologs below that stay in.
2. **Exact duplicates** of a sequence already kept (records in accession order) are dropped.
3. **Validation**: bucket = int(sha256("{D.SPLIT_SALT}" + accession)[:8], 16) mod 1000; bucket < {D.VAL_PER_MILLE}
   is validation (~{D.VAL_PER_MILLE / 10:.0f}%), the rest is training.

## Counts

| part | records | residues |
|---|---|---|
| train | {n['train']} | {res['train']} |
| validation | {n['val']} | {res['val']} |
| excluded (rule 1) | {n['excluded']} | {res['excluded']} |
| duplicate (rule 2) | {n['duplicate']} | {res['duplicate']} |

| proteome | records | train | validation | excluded | duplicate |
|---|---|---|---|---|---|
{rows}

Excluded by rule 1: {n['excluded']} records: {ex_src['perplexity']} for the perplexity set ({same} of them are the
evaluation records themselves, the others homologs), {ex_src['dms']} for DMS wild types,
{ex_src['structures']} for structure chains (each record counted once, under the protected sequence it
shares most with); {full} of the {n['excluded']} have containment 1.0 (the same sequence, or one
contained in the other). No evaluation accession is in training or validation (checked by `make_split.py`).

`split-accessions.tsv.gz` lists every record that is not in training (validation, excluded with the
protected sequence and the containment, duplicate); training is every other record of the two proteomes.
sha256 of the table in the generated `out/data/split.tsv.gz` (uncompressed; accession, organism, part,
sequence per line): `{digest}`.
"""
    with open(os.path.join(HERE, "SPLIT.md"), "w") as f:
        f.write(md)
    print(dict(n), dict(ex_src), file=sys.stderr)


if __name__ == "__main__":
    main()
