"""ProteinGym's own metric functions, loaded unchanged from a snapshot of its repository at run time.

plmbench's ProteinGym metrics (src/metrics/proteingym.ts) follow OATML-Markslab/ProteinGym at the commit the
project cites, bb685245f8f4bb95a5b54b470396c23826cd6284 (v1.3, 2025-07-21). The golden generators
(test/golden/metrics/make_golden.py, test/golden/fitness/make_golden.py) must use ProteinGym's code itself, not a
copy that can drift, and ProteinGym's code is not committed here. So `load()` reads
`proteingym/performance_DMS_benchmarks.py` at that commit out of a git directory of ProteinGym
(`git show <commit>:<path>`), checks its git blob hash, writes it to a temporary file and imports it as a module:
`calc_ndcg`, `calc_toprecall`, `minmax` are then ProteinGym's functions, byte for byte.

Where the git directory is: the environment variable PROTEINGYM_GIT_DIR, else ../.mirror/OATML-Markslab+ProteinGym/repo
beside the repository's parent (the session mirror), else ./ProteinGym/.git. Get one with

    git clone https://github.com/OATML-Markslab/ProteinGym && export PROTEINGYM_GIT_DIR=$PWD/ProteinGym/.git

Importing the module needs numpy, pandas, scipy and sklearn (Debian: python3-numpy python3-pandas python3-scipy
python3-sklearn); it runs nothing at import time (main() is behind `if __name__ == '__main__'`).

`load(OLD_COMMIT)` gives the file at a6fc27f (2024-08-04), the last main-branch version whose calc_toprecall used `>`
(the `>=` came with f5e47f1, merged by 01e20d4 on 2024-08-08): the goldens record both to show where they differ.
"""
import hashlib
import importlib.util
import os
import subprocess
import tempfile

PATH = "proteingym/performance_DMS_benchmarks.py"
COMMIT = "bb685245f8f4bb95a5b54b470396c23826cd6284"
OLD_COMMIT = "a6fc27f"
# git blob ids of PATH at those commits (`git rev-parse <commit>:<path>`), checked on load
BLOBS = {
    COMMIT: "8c9ed7179e0100c66ede067b5abd9691568cc20e",
    OLD_COMMIT: "1633df8dbdc09b0a320424fc93f0d67e8e705777",
}
LOADED = {}

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.abspath(os.path.join(_HERE, "..", ".."))


def git_dir():
    candidates = [
        os.environ.get("PROTEINGYM_GIT_DIR"),
        os.path.join(os.path.dirname(_ROOT), ".mirror", "OATML-Markslab+ProteinGym", "repo"),
        os.path.join(_ROOT, "ProteinGym", ".git"),
    ]
    for c in candidates:
        if c and os.path.isdir(c):
            return c
    raise SystemExit("proteingym_reference: no ProteinGym git directory found; set PROTEINGYM_GIT_DIR (see the docstring)")


def source(commit=COMMIT):
    return subprocess.check_output(["git", f"--git-dir={git_dir()}", "show", f"{commit}:{PATH}"])


def blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def load(commit=COMMIT):
    data = source(commit)
    blob = blob_id(data)
    want = BLOBS.get(commit)
    if want is not None and blob != want:
        raise SystemExit(f"proteingym_reference: {PATH} at {commit} has blob {blob}, expected {want}")
    tmp = tempfile.mkdtemp(prefix="proteingym-")
    name = f"proteingym_performance_{commit[:7]}"
    path = os.path.join(tmp, name + ".py")
    with open(path, "wb") as f:
        f.write(data)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    LOADED[commit] = {"repository": "OATML-Markslab/ProteinGym", "commit": commit, "path": PATH, "blob": blob}
    return module


class StableSort:
    """Runs a ProteinGym function with numpy's argsort defaulting to kind='stable' (ties broken by index).

    calc_ndcg ranks with np.argsort's default (unstable) sort, whose order among tied scores is an implementation
    detail of numpy; src/metrics breaks ties by index. The function's code is unchanged: only the `np` it sees
    inside this block sorts stably. On scores without ties in the top k the two agree (the generators check).
    """

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        np = self.module.np
        self.saved = np

        class _Np:
            def __getattr__(self, name):
                return getattr(np, name)

            @staticmethod
            def argsort(a, axis=-1, kind=None, order=None):
                return np.argsort(a, axis=axis, kind="stable" if kind is None else kind, order=order)

        self.module.np = _Np()
        return self.module

    def __exit__(self, *exc):
        self.module.np = self.saved
        return False


def aggregate(rows, pd):
    """ProteinGym's headline aggregate of one model column, with the pandas calls of main() (substitutions branch):

        performance_all_DMS[metric][var].astype(float).round(3)             # every per-DMS value, 3 decimals
        uniprot_function = ....groupby(['UniProt_ID', 'Selection Type']).mean(numeric_only=True)
        per_type         = uniprot_function.groupby('Selection Type').mean(numeric_only=True)
        final_average    = per_type.mean(numeric_only=True)

    rows: (uniprot, selection type, value). Returns (final_average, plain mean of the rounded values): the plain mean
    is the indel branch's `performance_all_DMS[metric].mean()`, after the same rounding.
    """
    df = pd.DataFrame(rows, columns=["UniProt_ID", "Selection Type", "score"])
    df["score"] = df["score"].astype(float).round(3)
    uniprot_function = df.groupby(["UniProt_ID", "Selection Type"]).mean(numeric_only=True)
    per_type = uniprot_function.groupby("Selection Type").mean(numeric_only=True)
    return float(per_type.mean(numeric_only=True)["score"]), float(df["score"].mean())
