"""Data handling shared by the training scripts: FASTA reading, vocabularies, the train/validation split.

The split rule (see SPLIT.md, which make_split.py writes):
  1. Every proteome record whose sequence shares a large fraction of its 5-mers with a protected
     sequence is excluded: containment |K(a) & K(b)| / min(|K(a)|, |K(b)|) >= KMER_CONTAINMENT (0.05)
     with at least KMER_MIN_SHARED (3) shared 5-mers, K = set of 5-mers. (0.05 keeps out the
     cyclophilin, HU and J-domain homologs that a 0.10 cut lets through; the 3-shared floor keeps
     single chance matches of very short peptides in.)
     Protected: the perplexity task's evaluation set (required), plus the wild types of the bundled
     DMS assays and the chains of the bundled structures (so that the fitness and contact tasks are
     not scored on training sequences either).
  2. Exact duplicate sequences are kept once (the first by accession order).
  3. The rest is split by sha256("plmbench-train-v1:" + accession): bucket = first 8 hex digits mod 1000;
     bucket < VAL_PER_MILLE is validation, else training.
"""
import csv
import gzip
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
# The source-data folder (UniProt proteomes, DMS wild types, structure index): $PLMBENCH_SOURCE_DATA.
SHARED_DATA = os.environ.get("PLMBENCH_SOURCE_DATA", "")

PROTEOMES = ["UP000000625-E.coli.fasta.gz", "UP000002311-S.cerevisiae.fasta.gz"]
PERPLEXITY_EVAL = os.path.join(REPO, "tasks", "perplexity", "data", "natural-heldout.fasta")
KMER = 5
KMER_CONTAINMENT = 0.05
KMER_MIN_SHARED = 3
VAL_PER_MILLE = 30
SPLIT_SALT = "plmbench-train-v1:"


def read_fasta(path):
    """Yields (header, sequence); gzip by extension."""
    opener = gzip.open if path.endswith(".gz") else open
    header, chunks = None, []
    with opener(path, "rt") as f:
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


def accession_of(header):
    parts = header.split("|")
    return parts[1] if len(parts) >= 3 else header.split()[0]


def kmers(seq, k=KMER):
    return {seq[i : i + k] for i in range(len(seq) - k + 1)}


def protected_sequences():
    """(source, id, sequence) of every sequence the training data must stay clear of."""
    out = []
    for header, seq in read_fasta(PERPLEXITY_EVAL):
        out.append(("perplexity", accession_of(header), seq.upper()))
    ref = os.path.join(SHARED_DATA, "proteingym_reference", "reference_files", "DMS_substitutions.csv")
    dms_dir = os.path.join(SHARED_DATA, "dms")
    assays = {f[:-4] for f in os.listdir(dms_dir) if f.endswith(".csv")} if os.path.isdir(dms_dir) else set()
    if os.path.exists(ref):
        with open(ref, newline="") as f:
            for row in csv.DictReader(f):
                if row["DMS_id"] in assays:
                    out.append(("dms", row["DMS_id"], row["target_seq"].upper()))
    index = os.path.join(SHARED_DATA, "structures", "index.csv")
    if os.path.exists(index):
        with open(index, newline="") as f:
            for row in csv.DictReader(f):
                out.append(("structures", f"{row['pdb_id']}{row['chain']}", row["seqres_sequence"].upper()))
    return out


def split_bucket(accession):
    return int(hashlib.sha256((SPLIT_SALT + accession).encode()).hexdigest()[:8], 16) % 1000


def build_split():
    """Returns a dict with the records of each part and the exclusion details.

    records: list of (accession, organism, sequence, part) with part in train|val|excluded|duplicate,
    and for excluded ones the reason (protected source:id, containment)."""
    protected = protected_sequences()
    index = {}
    pk = []
    for i, (_, _, seq) in enumerate(protected):
        ks = kmers(seq)
        pk.append(len(ks))
        for km in ks:
            index.setdefault(km, []).append(i)
    records = []
    seen = set()
    for fname in PROTEOMES:
        organism = fname.split("-", 1)[1].split(".fasta")[0]
        rows = []
        for header, seq in read_fasta(os.path.join(SHARED_DATA, "sequences", fname)):
            rows.append((accession_of(header), seq.upper()))
        rows.sort()
        for acc, seq in rows:
            ks = kmers(seq)
            shared = {}
            for km in ks:
                for i in index.get(km, ()):
                    shared[i] = shared.get(i, 0) + 1
            best, best_i, hit, hit_i = 0.0, -1, 0.0, -1
            for i, n in shared.items():
                c = n / max(1, min(len(ks), pk[i]))
                if c > best:
                    best, best_i = c, i
                if n >= KMER_MIN_SHARED and c > hit:
                    hit, hit_i = c, i
            if hit >= KMER_CONTAINMENT:
                best, best_i = hit, hit_i
                src, pid, _ = protected[best_i]
                records.append({"accession": acc, "organism": organism, "seq": seq, "part": "excluded",
                                "reason": f"{src}:{pid}", "containment": round(best, 4)})
                continue
            if seq in seen:
                records.append({"accession": acc, "organism": organism, "seq": seq, "part": "duplicate"})
                continue
            seen.add(seq)
            part = "val" if split_bucket(acc) < VAL_PER_MILLE else "train"
            records.append({"accession": acc, "organism": organism, "seq": seq, "part": part,
                            "max_containment": round(best, 4)})
    return {"protected": protected, "records": records}


# ---- vocabularies (README.md, model contract) ----
ESM_TOKENS = ["<cls>", "<pad>", "<eos>", "<unk>"] + list("LAGVSERTIDPKQNFYMHWCXBUZO.-") + ["<null_1>", "<mask>"]
ESM = {t: i for i, t in enumerate(ESM_TOKENS)}
ESM_CLS, ESM_PAD, ESM_EOS, ESM_UNK, ESM_MASK = 0, 1, 2, 3, 32
PROGEN_TOKENS = ["<|pad|>", "<|bos|>", "<|eos|>", "1", "2"] + list("ABCDEFGHIKLMNOPQRSTUVWXYZ") + ["<|unused30|>", "<|unused31|>"]
PROGEN = {t: i for i, t in enumerate(PROGEN_TOKENS)}
PG_PAD, PG_ONE, PG_TWO = 0, 3, 4
assert len(ESM_TOKENS) == 33 and len(PROGEN_TOKENS) == 32 and PROGEN["Z"] == 29 and ESM["-"] == 30


def esm_encode(seq):
    """<cls> + residues + <eos>; unknown letters map to <unk>."""
    return [ESM_CLS] + [ESM.get(c, ESM_UNK) for c in seq] + [ESM_EOS]


def progen_encode(seq, reverse=False):
    """N-to-C: 1 + residues + 2; C-to-N: 2 + reversed residues + 1. Letters outside A..Z (and J) map to X."""
    ids = [PROGEN.get(c, PROGEN["X"]) for c in (seq[::-1] if reverse else seq)]
    return [PG_TWO] + ids + [PG_ONE] if reverse else [PG_ONE] + ids + [PG_TWO]
