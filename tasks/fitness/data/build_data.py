#!/usr/bin/python3
"""Builds the bundled data of the fitness task from the source-data folder ($PLMBENCH_SOURCE_DATA; standard library only).

Run from the repository root:

    python3 tasks/fitness/data/build_data.py [--shared <source-data folder>]

Writes, deterministically (gzip with mtime 0, rows in source order, values copied as written):

- dms/<DMS_id>.csv.gz: the six ProteinGym substitution assays, bytes of the source CSVs unchanged
  inside the gzip (kermut @ 35a65ff3 copies of ProteinGym's files; see the task README);
- DMS_substitutions.csv: ProteinGym's reference file, all 217 rows and all columns, bytes unchanged
  (wild types, ids, selection types, taxa, MSA depth classes of every ProteinGym substitution assay, so a
  user's folder of ProteinGym CSVs without a reference file of its own is read against it);
- proteingym_dms_level.csv: the published zero-shot values of the 12 baseline models (ESM-2 8M..15B,
  ProGen2 S..XL, Site-Independent) for all 217 assays and the five metrics, from the DMS-level tables,
  one row per (assay, metric), one column per baseline model id;
- proteingym_reference.json: the model id <-> ProteinGym column mapping, the ProteinGym-wide Spearman
  summary of these models (Summary_performance_DMS_substitutions_Spearman.csv), and the sha256 and row
  count of every source file read.
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ASSAYS = [
    "A0A1I9GEU1_NEIME_Kennouche_2019",
    "BBC1_YEAST_Tsuboyama_2023_1TG0",
    "BCHB_CHLTE_Tsuboyama_2023_2KRU",
    "BLAT_ECOLX_Stiffler_2015",
    "DNJA1_HUMAN_Tsuboyama_2023_2LO1",
    "R1AB_SARS2_Flynn_2022",
]

# plmbench baseline model id -> ProteinGym column name (DMS-level tables and summary table)
MODELS = {
    "esm2-8m": "ESM2 (8M)",
    "esm2-35m": "ESM2 (35M)",
    "esm2-150m": "ESM2 (150M)",
    "esm2-650m": "ESM2 (650M)",
    "esm2-3b": "ESM2 (3B)",
    "esm2-15b": "ESM2 (15B)",
    "progen2-small": "Progen2 S",
    "progen2-medium": "Progen2 M",
    "progen2-base": "Progen2 Base",
    "progen2-large": "Progen2 L",
    "progen2-xlarge": "Progen2 XL",
    "site-independent": "Site-Independent",
}

# plmbench metric name -> ProteinGym folder / file infix
METRICS = {"spearman": "Spearman", "auc": "AUC", "mcc": "MCC", "ndcg": "NDCG", "top_recall": "Top_recall"}

SUMMARY_COLUMNS = [
    "Average_Spearman", "Bootstrap_standard_error_Spearman", "Function_Activity", "Function_Binding",
    "Function_Expression", "Function_OrganismalFitness", "Function_Stability", "Low_MSA_depth", "Medium_MSA_depth",
    "High_MSA_depth", "Taxa_Human", "Taxa_Other_Eukaryote", "Taxa_Prokaryote", "Taxa_Virus", "Depth_1", "Depth_2",
    "Depth_3", "Depth_4", "Depth_5+",
]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read(path, sources, shared):
    with open(path, "rb") as f:
        data = f.read()
    rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1
    sources.append({"path": os.path.relpath(path, shared), "sha256": sha256(data), "rows": rows})
    return data


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def csv_bytes(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("PLMBENCH_SOURCE_DATA"), help="the source-data folder (default: $PLMBENCH_SOURCE_DATA)")
    args = ap.parse_args()
    if not args.shared:
        ap.error("give --shared or set PLMBENCH_SOURCE_DATA to the source-data folder")
    shared = os.path.abspath(args.shared)
    sources = []

    os.makedirs(os.path.join(HERE, "dms"), exist_ok=True)
    for dms_id in ASSAYS:
        data = read(os.path.join(shared, "dms", dms_id + ".csv"), sources, shared)
        write(os.path.join(HERE, "dms", dms_id + ".csv.gz"), gzip.compress(data, compresslevel=9, mtime=0))

    ref_path = os.path.join(shared, "proteingym_reference", "reference_files", "DMS_substitutions.csv")
    ref_bytes = read(ref_path, sources, shared)
    ref = list(csv.DictReader(io.StringIO(ref_bytes.decode("utf-8"))))
    missing = [a for a in ASSAYS if a not in {r["DMS_id"] for r in ref}]
    if missing:
        raise SystemExit("%s: no row for %s" % (ref_path, ", ".join(missing)))
    write(os.path.join(HERE, "DMS_substitutions.csv"), ref_bytes)

    bench = os.path.join(shared, "proteingym_reference", "benchmarks", "DMS_zero_shot", "substitutions")
    tables = {}
    for metric, pg in METRICS.items():
        path = os.path.join(bench, pg, "DMS_substitutions_%s_DMS_level.csv" % pg)
        tables[metric] = list(csv.DictReader(io.StringIO(read(path, sources, shared).decode("utf-8"))))
    order = [r["DMS ID"] for r in tables["spearman"]]
    rows = []
    for dms_id in order:
        for metric in METRICS:
            r = next(x for x in tables[metric] if x["DMS ID"] == dms_id)
            rows.append([dms_id, r["UniProt ID"], r["Selection Type"], r["Number of Mutants"], metric]
                        + [r[MODELS[m]] for m in MODELS])
    write(os.path.join(HERE, "proteingym_dms_level.csv"),
          csv_bytes(["DMS_id", "UniProt_ID", "coarse_selection_type", "number_mutants", "metric"] + list(MODELS), rows))

    summary_path = os.path.join(bench, "Spearman", "Summary_performance_DMS_substitutions_Spearman.csv")
    summary = {r["Model_name"]: r for r in csv.DictReader(io.StringIO(read(summary_path, sources, shared).decode("utf-8")))}
    reference = {
        "source": {
            "repository": "OATML-Markslab/ProteinGym",
            "commit": "bb685245",
            "release": "ProteinGym v1.3 zero-shot substitutions benchmark",
            "licence": "MIT",
            "assays_via": "petergroth/kermut @ 35a65ff3, data/processed/ProteinGym_substitutions_DMS/ (MIT; *_Rocklin_2023_* renamed *_Tsuboyama_2023_*)",
            "files": sources,
        },
        "models": MODELS,
        "metrics": METRICS,
        "summary_assays": len(order),
        "summary": {m: {c: float(summary[col][c]) for c in SUMMARY_COLUMNS} for m, col in MODELS.items()},
    }
    write(os.path.join(HERE, "proteingym_reference.json"), (json.dumps(reference, indent=1) + "\n").encode("utf-8"))
    for name in sorted(os.listdir(HERE)) + ["dms/" + a + ".csv.gz" for a in ASSAYS]:
        p = os.path.join(HERE, name)
        if os.path.isfile(p) and not name.endswith(".py"):
            with open(p, "rb") as f:
                print(sha256(f.read()), name)


if __name__ == "__main__":
    main()
