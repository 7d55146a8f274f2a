#!/usr/bin/python3
"""Golden values for the fitness task's ProteinGym breakdowns (MSA depth, taxon, mutation depth), made by running
ProteinGym's own `main()` on the known-answer model's scores.

Rerun from the repository root with Debian's scientific Python (python3-numpy python3-pandas python3-scipy
python3-sklearn) and a git directory of ProteinGym (see test/golden/proteingym_reference.py):

    /usr/bin/python3 test/golden/fitness/make_summary_golden.py

What it does:

1. Scores every variant of the six bundled assays with the known-answer masked model of make_golden.py
   (`known_answer_scores`: masked-marginals as ProteinGym's ESM code computes it on that model).
2. Adds a seventh assay, `BBC1_YEAST_Tsuboyama_2023_1TG0_copy`: the bytes of BBC1_YEAST_Tsuboyama_2023_1TG0 under
   another DMS_id, with the reference row of BBC1 except UniProt_ID `BBC1_YEAST_COPY`, coarse_selection_type
   `Binding`, taxon `Human` and MSA_Neff_L_category `low` (lower case). Why: main() selects its MSA depth columns
   with a fixed `[['Low', 'Medium', 'High']]`, which fails unless every class is present, and none of the six
   bundled assays is Low; the lower-case class exercises main()'s capitalisation, the extra Human protein and the
   Binding selection type make the taxon and function groupings average over more than one group.
3. Runs ProteinGym's `main()` from proteingym/performance_DMS_benchmarks.py at bb685245 (loaded unchanged by
   test/golden/proteingym_reference.py; constants.json from the same commit beside it, as main() expects) with
   `--performance_by_depth`, on those seven assays (the reference file given to it is the seven rows; the score
   column is `known_answer`), and reads back its Summary_performance_DMS_substitutions_<metric>.csv: every Summary
   column, to ProteinGym's 3 decimals. main() runs with numpy's argsort defaulting to the stable sort
   (proteingym_reference.StableSort): the known-answer model ties scores, whose order ProteinGym's default sort
   leaves arbitrary, and src/metrics breaks ties by index.
4. Per assay and mutation depth (1, 2, 3, 4, 5+ substitutions), the five metrics with the lines of main()'s
   `performance_by_depth` branch (spearmanr, calc_ndcg, calc_toprecall, roc_auc_score or NaN, matthews_corrcoef
   against the whole assay's median cut), unrounded; and their aggregation with main()'s pandas calls, unrounded,
   checked here to round to main()'s Summary values.

Writes summary_golden.json beside this script.
"""

import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import make_golden as mg  # noqa: E402  (loads ProteinGym's performance_DMS_benchmarks.py at bb685245)
import proteingym_reference  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.metrics import matthews_corrcoef, roc_auc_score  # noqa: E402

PG = mg.PG
DATA = mg.DATA
OUT = os.path.join(HERE, "summary_golden.json")
MODEL = "known_answer"
METRICS = {"spearman": "Spearman", "auc": "AUC", "mcc": "MCC", "ndcg": "NDCG", "top_recall": "Top_recall"}
DEPTHS = ["1", "2", "3", "4", "5+"]
COPY_OF = "BBC1_YEAST_Tsuboyama_2023_1TG0"
COPY = {"DMS_id": COPY_OF + "_copy", "UniProt_ID": "BBC1_YEAST_COPY", "coarse_selection_type": "Binding",
        "taxon": "Human", "MSA_Neff_L_category": "low"}
# the constants.json main() reads beside its own file, from the same commit
CONSTANTS = "proteingym/constants.json"
CONSTANTS_BLOB = "054276acf9466f4b330a0d211181f5ac715fa98a"


def depth_metrics(df):
    """main()'s performance_by_depth lines for one score column, per depth (df has DMS_score, DMS_score_bin, the
    score and its whole-assay median bin)."""
    out = {}
    for depth in DEPTHS:
        d = df[df.mutation_depth_grouped == depth]
        if len(d) == 0:
            out[depth] = {m: None for m in METRICS}
            continue
        with proteingym_reference.StableSort(PG) as pg:
            ndcg = pg.calc_ndcg(d["DMS_score"], d[MODEL])
        try:
            auc = roc_auc_score(y_true=d["DMS_score_bin"], y_score=d[MODEL])
        except ValueError:
            auc = np.nan
        vals = {
            "spearman": spearmanr(d["DMS_score"], d[MODEL])[0],
            "auc": auc,
            "mcc": matthews_corrcoef(y_true=d["DMS_score_bin"], y_pred=d[MODEL + "_bin"]),
            "ndcg": ndcg,
            "top_recall": PG.calc_toprecall(d["DMS_score"], d[MODEL]),
        }
        out[depth] = {m: (None if np.isnan(float(v)) else float(v)) for m, v in vals.items()}
    return out


def main():
    ls = mg.log_softmax(mg.table())
    idx = {t: i for i, t in enumerate(mg.ESM)}
    ref_text = open(os.path.join(DATA, "DMS_substitutions.csv"), encoding="utf-8").read()
    ref_rows = list(csv.DictReader(io.StringIO(ref_text)))
    header = next(csv.reader(io.StringIO(ref_text)))
    bundled = [r for r in ref_rows if os.path.exists(os.path.join(DATA, "dms", r["DMS_id"] + ".csv.gz"))]
    assert len(bundled) == 6
    copy_row = dict(next(r for r in bundled if r["DMS_id"] == COPY_OF))
    copy_row.update(COPY)
    copy_row["DMS_filename"] = COPY["DMS_id"] + ".csv"
    rows7 = bundled + [copy_row]

    work = tempfile.mkdtemp(prefix="plmbench-summary-golden-")
    dms_dir, score_dir, out_dir = (os.path.join(work, x) for x in ("dms", "scores", "out"))
    for d in (dms_dir, score_dir):
        os.makedirs(d)
    per_assay = {}
    for r in rows7:
        src = COPY_OF if r is copy_row else r["DMS_id"]
        with gzip.open(os.path.join(DATA, "dms", src + ".csv.gz"), "rb") as f:
            raw = f.read()
        with open(os.path.join(dms_dir, r["DMS_filename"]), "wb") as f:
            f.write(raw)
        df = pd.read_csv(io.BytesIO(raw))
        df[MODEL] = mg.known_answer_scores(r["target_seq"], df.to_dict("records"), ls, idx)
        df[["mutant", "mutated_sequence", "DMS_score", "DMS_score_bin", MODEL]].to_csv(
            os.path.join(score_dir, r["DMS_id"] + ".csv"), index=False)
        # main(): mutation depth, then the whole-assay median bin, then the per-depth metrics
        df["mutation_depth"] = df["mutant"].apply(lambda x: len(x.split(":")))
        df["mutation_depth_grouped"] = df["mutation_depth"].apply(lambda x: "5+" if x >= 5 else str(x))
        median_cutoff = df[MODEL].median()
        df[MODEL + "_bin"] = df[MODEL].map(lambda x: 1 if x >= median_cutoff else 0)
        per_assay[r["DMS_id"]] = {
            "uniprot": r["UniProt_ID"], "selectionType": r["coarse_selection_type"], "taxon": r["taxon"],
            "msaDepth": r["MSA_Neff_L_category"][0].upper() + r["MSA_Neff_L_category"][1:],  # as main() capitalises it
            "n": int(len(df)),
            "depthCounts": {d: int((df.mutation_depth_grouped == d).sum()) for d in DEPTHS},
            "byDepth": depth_metrics(df),
        }
    ref_path = os.path.join(work, "reference.csv")
    with open(ref_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows7)

    # ProteinGym's main(), unchanged, with its constants.json beside the loaded module and a config naming our column
    constants = subprocess.check_output(["git", f"--git-dir={proteingym_reference.git_dir()}", "show",
                                         f"{proteingym_reference.COMMIT}:{CONSTANTS}"])
    assert proteingym_reference.blob_id(constants) == CONSTANTS_BLOB
    with open(os.path.join(os.path.dirname(os.path.realpath(PG.__file__)), "constants.json"), "wb") as f:
        f.write(constants)
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        json.dump({"model_list_zero_shot_substitutions_DMS": {MODEL: {"model_type": "known-answer"}}}, f)
    argv = sys.argv
    sys.argv = ["performance_DMS_benchmarks.py", "--input_scoring_files_folder", score_dir,
                "--output_performance_file_folder", out_dir, "--DMS_reference_file_path", ref_path,
                "--DMS_data_folder", dms_dir, "--performance_by_depth", "--config_file", config]
    np.random.seed(0)  # the bootstrap standard error (not used here) resamples
    try:
        with proteingym_reference.StableSort(PG) as pg:
            pg.main()
    finally:
        sys.argv = argv
    summary = {}
    for metric, pgm in METRICS.items():
        s = pd.read_csv(os.path.join(out_dir, pgm, f"Summary_performance_DMS_substitutions_{pgm}.csv"))
        row = s[s["Model_name"] == MODEL].iloc[0]
        cols = [c for c in s.columns if c.startswith(("Average_", "Function_", "Taxa_", "Depth_")) or c.endswith("_MSA_depth")]
        summary[metric] = {c.replace("Average_" + pgm, "Average"): (None if pd.isna(row[c]) else float(row[c])) for c in cols}
        dms_level = pd.read_csv(os.path.join(out_dir, pgm, f"DMS_substitutions_{pgm}_DMS_level.csv"))
        for _, r in dms_level.iterrows():
            per_assay[r["DMS ID"]].setdefault("rounded", {})[metric] = None if pd.isna(r[MODEL]) else float(r[MODEL])

    # the depth columns from the unrounded per-assay values, with main()'s pandas calls; checked against main()'s output
    unrounded = {}
    for metric in METRICS:
        df = pd.DataFrame([{"UniProt_ID": a["uniprot"], "Selection Type": a["selectionType"],
                            **{d: (np.nan if a["byDepth"][d][metric] is None else a["byDepth"][d][metric]) for d in DEPTHS}}
                           for a in per_assay.values()])
        for d in DEPTHS:
            df[d] = df[d].astype(float).round(3)
        by_group = df.groupby(["UniProt_ID", "Selection Type"]).mean(numeric_only=True)
        unrounded[metric] = {}
        for d in DEPTHS:
            v = by_group[d].mean()
            unrounded[metric]["Depth_" + d] = None if pd.isna(v) else float(v)
            got = summary[metric]["Depth_" + d]
            assert (got is None and pd.isna(v)) or round(v, 3) == got, (metric, d, v, got)

    shutil.rmtree(work)
    out = {
        "generator": "test/golden/fitness/make_summary_golden.py",
        "copy": {"of": COPY_OF, **COPY},
        "model": MODEL,
        "versions": {"numpy": np.__version__, "pandas": pd.__version__},
        "assays": per_assay,
        "summary": summary,
        "depthUnrounded": unrounded,
        "proteingym": {**proteingym_reference.LOADED[proteingym_reference.COMMIT],
                       "function": "main (with --performance_by_depth)", "constants": {"path": CONSTANTS, "blob": CONSTANTS_BLOB}},
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
