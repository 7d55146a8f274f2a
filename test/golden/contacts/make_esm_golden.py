#!/usr/bin/python3
"""Golden values for the contacts task's ESM convention, from ESM's own evaluation functions.

ESM-2's published P@L numbers come from ESM's contact evaluation: facebookresearch/esm @
2b369911bb5b4b0dda914521b9475cad1656b2ac, examples/contact_prediction.ipynb (git blob recorded in the output):
- `contacts_from_pdb`: Cβ = `extend(C, N, CA, 1.522, 1.927, -2.143)` for every residue, contact = Cβ-Cβ < 8 Å,
  -1 where a distance is NaN;
- `compute_precisions` / `evaluate_prediction`: ranges local 3-5, short 6-11, medium 12-23, long >= 24; the top
  predictions of a range among pairs with target >= 0; L = `override_length = (targets[0, 0] >= 0).sum()`, the
  number of residues with coordinates (on a map whose first residue is observed).

This script loads those notebook cells UNCHANGED at run time (`git show` of the notebook from a git directory of
facebookresearch/esm: ESM_GIT_DIR, else the session mirror ../.mirror/facebookresearch+esm/repo; nothing of ESM is
committed here), and runs them with Debian's python3-torch / numpy / scipy on a few bundled chains:

1. It reads each chain's PDB file itself (first model, chain's ATOM records, hydrogens dropped, one conformer per
   atom: highest occupancy, ties to the first), places the residues on the SEQRES sequence of index.csv by residue
   number (one offset for the whole chain, checked letter by letter), and keeps the residues with N, CA and C.
2. contacts_from_pdb on a stand-in for biotite's AtomArray holding exactly those residues' N, CA, C atoms (the
   function reads `.hetero`, `.chain_id`, `.atom_name`, `.coord`), scattered onto the SEQRES positions with -1 for
   the unobserved residues, as a target over the sequence the model reads.
3. evaluate_prediction(predictions, targets) for two "heads":
   - `oracle`: the binary contact map itself (what the contact oracle model outputs), ties among equal scores do not
     change its precision;
   - `ca`: -(CA-CA distance) over the observed residues (a fixed map without ties, different from the targets).
   ESM's compute_precisions overwrites override_length with the count of row 0's valid targets, so on a chain whose
   first SEQRES residue is unobserved it would count 0 (and fail). There the matrices are cropped to the first and
   last observed residues before the call: the candidates and their separations are unchanged, and L is then the
   observed count, which is what override_length is meant to be ("for casp").

Output (golden_esm.json beside this script): per chain the observed mask, CA coordinates, the contacts with
separation >= 6 (i < j, SEQRES indices), and ESM's short / medium / long P@L, P@L2, P@L5 for both heads.

Rerun:  /usr/bin/python3 test/golden/contacts/make_esm_golden.py
"""
import csv
import gzip
import hashlib
import json
import os
import subprocess
import types
from typing import Dict, Optional

import numpy as np
import scipy
import torch
import torch.nn.functional as F
from scipy.spatial.distance import pdist, squareform

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DATA = os.path.join(ROOT, "tasks", "contacts", "data")
OUT = os.path.join(HERE, "golden_esm.json")
ESM_COMMIT = "2b369911bb5b4b0dda914521b9475cad1656b2ac"
NOTEBOOK = "examples/contact_prediction.ipynb"
CHAINS = ["A040", "A002", "A036", "A020", "A058"]

THREE = {"ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E", "GLY": "G", "HIS": "H", "ILE": "I",
         "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F", "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V"}


def esm_git_dir():
    for c in [os.environ.get("ESM_GIT_DIR"), os.path.join(os.path.dirname(ROOT), ".mirror", "facebookresearch+esm", "repo")]:
        if c and os.path.isdir(c):
            return c
    raise SystemExit("make_esm_golden: no facebookresearch/esm git directory; set ESM_GIT_DIR (git clone https://github.com/facebookresearch/esm)")


def load_esm():
    data = subprocess.check_output(["git", f"--git-dir={esm_git_dir()}", "show", f"{ESM_COMMIT}:{NOTEBOOK}"])
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    cells = ["".join(c["source"]) for c in json.loads(data)["cells"] if c["cell_type"] == "code"]
    wanted = [c for c in cells if "def extend(" in c or "def compute_precisions(" in c]
    assert len(wanted) == 2, "expected the cells defining extend/contacts_from_pdb and compute_precisions/evaluate_prediction"
    ns = {"np": np, "torch": torch, "F": F, "Optional": Optional, "Dict": Dict, "pdist": pdist, "squareform": squareform,
          "bs": types.SimpleNamespace(AtomArray=object)}  # bs only appears in an annotation
    for c in wanted:
        exec(compile(c, f"{NOTEBOOK}@{ESM_COMMIT[:8]}", "exec"), ns)
    return ns, {"repository": "facebookresearch/esm", "commit": ESM_COMMIT, "path": NOTEBOOK, "blob": blob,
                "functions": ["extend", "contacts_from_pdb", "compute_precisions", "evaluate_prediction"]}


def read_chain(path, chain):
    """Residues of `chain` in file order: (resSeq, iCode, letter, {atom: (x, y, z)})."""
    residues = []
    index = {}
    occ = {}
    with gzip.open(path, "rt") as f:
        for line in f:
            if line.startswith("ENDMDL"):
                break
            if not line.startswith("ATOM") or line[21] != chain:
                continue
            name = line[12:16].strip()
            element = line[76:78].strip() or name[0]
            if element == "H" or element == "D":
                continue
            key = (int(line[22:26]), line[26])
            if key not in index:
                index[key] = len(residues)
                residues.append((key[0], key[1], THREE.get(line[17:20], "X"), {}))
            atoms = residues[index[key]][3]
            o = float(line[54:60]) if line[54:60].strip() else 1.0
            if name not in atoms or o > occ[(key, name)]:
                atoms[name] = (float(line[30:38]), float(line[38:46]), float(line[46:54]))
                occ[(key, name)] = o
    return residues


def place(residues, seqres):
    """SEQRES index of each residue: resSeq - offset, one offset for the chain, every letter checked."""
    assert all(r[1] == " " for r in residues), "insertion codes: not handled here"
    for offset in range(-2000, 2000):
        idx = [r[0] - offset for r in residues]
        if all(0 <= i < len(seqres) and seqres[i] == r[2] for i, r in zip(idx, residues)):
            return idx
    raise SystemExit("no single residue-number offset places the chain on its SEQRES")


class AtomArrayStandIn:
    """What contacts_from_pdb reads of a biotite AtomArray: hetero, chain_id, atom_name, coord (one per atom)."""

    def __init__(self, atoms, chain):
        self.atom_name = np.array([a[0] for a in atoms])
        self.coord = np.array([a[1] for a in atoms], dtype=np.float32)  # biotite stores float32 coordinates
        self.hetero = np.zeros(len(atoms), dtype=bool)
        self.chain_id = np.array([chain] * len(atoms))


def main():
    esm, source = load_esm()
    rows = {r["shiftx2_id"]: r for r in csv.DictReader(open(os.path.join(DATA, "index.csv")))}
    out = {"generator": "test/golden/contacts/make_esm_golden.py", "esm": source,
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "torch": torch.__version__}, "chains": {}}
    for cid in CHAINS:
        r = rows[cid]
        seqres = r["seqres_sequence"]
        L = len(seqres)
        residues = read_chain(os.path.join(DATA, r["file"]), r["chain"])
        idx = place(residues, seqres)
        kept = [(i, res) for i, res in zip(idx, residues) if all(a in res[3] for a in ("N", "CA", "C"))]
        atoms = [(name, res[3][name]) for _, res in kept for name in ("N", "CA", "C")]
        compact = esm["contacts_from_pdb"](AtomArrayStandIn(atoms, r["chain"]), chain=r["chain"])
        pos = np.array([i for i, _ in kept])
        targets = np.full((L, L), -1, dtype=np.int64)
        targets[np.ix_(pos, pos)] = compact
        observed = np.zeros(L, dtype=np.int64)
        observed[pos] = 1
        ca = np.full((L, 3), np.nan)
        for i, res in kept:
            ca[i] = res[3]["CA"]
        d_ca = np.sqrt(((ca[:, None, :] - ca[None, :, :]) ** 2).sum(-1))
        heads = {"oracle": np.maximum(targets, 0).astype(np.float64), "ca": np.where(np.isnan(d_ca), -1e9, -d_ca)}
        lo, hi = pos.min(), pos.max() + 1  # crop: see the module docstring
        metrics = {}
        for name, pred in heads.items():
            m = esm["evaluate_prediction"](torch.from_numpy(pred[lo:hi, lo:hi].copy()), targets[lo:hi, lo:hi].copy())
            metrics[name] = {f"{rng}_{k}": float(m[f"{rng}_{k}"]) for rng in ("short", "medium", "long") for k in ("P@L", "P@L2", "P@L5")}
        # the CA head has no ties among the candidates, so its ranking (and precision) does not depend on the sort
        iu = np.triu_indices(L, 6)
        valid = targets[iu] >= 0
        assert len(np.unique(heads["ca"][iu][valid])) == int(valid.sum()), f"{cid}: tied CA distances"
        pairs = [[int(i), int(j)] for i, j in zip(*iu) if targets[i, j] == 1]
        out["chains"][cid] = {
            "file": r["file"], "chain": r["chain"], "length": L, "nObserved": int(observed.sum()),
            "firstObserved": int(lo), "observed": observed.tolist(),
            "ca": [None if np.isnan(c[0]) else [float(x) for x in c] for c in ca],
            "contacts": pairs, "esm": metrics,
        }
        print(cid, L, int(observed.sum()), metrics["oracle"]["long_P@L"], metrics["ca"]["long_P@L"])
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
