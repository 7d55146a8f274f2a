#!/usr/bin/env python3
"""Independent reference values for plmbench's contact maps (src/bio/contact-map.ts), from Biopython.

Run from the repository root with Debian's Python (Biopython 1.80, numpy):

    /usr/bin/python3 test/golden/bio/make_contacts_golden.py [structures_dir]

structures_dir defaults to $PLMBENCH_SOURCE_DATA/structures (index.csv + pdb/*.pdb.gz). Writes
test/golden/bio/contacts_golden.json.

Independence from the TypeScript code: coordinates come from Bio.PDB.PDBParser (first model, Biopython's
own alternate-location choice: highest occupancy, ties to the first), and residues are placed on the
SEQRES reference by residue number (reference index = residue number + a constant offset, the one offset
under which every observed residue matches SEQRES; the script fails if none or several fit), not by a
sequence alignment. Cbeta: the CB atom for non-glycine residues that have one, else the trRosetta/ESM
virtual Cbeta from N, CA, C; contact: Cbeta-Cbeta distance < 8 A.
"""
import csv
import gzip
import hashlib
import json
import math
import os
import sys

import numpy as np
from Bio.PDB import PDBParser
from Bio.PDB.Polypeptide import three_to_index, index_to_one

# Chains: interior gap + alt locs + glycines (A012), MSE + alt locs + unobserved termini (A023),
# a disordered arm whose flanking residues are modelled bonded (A036), a residue with only an N atom (A008).
CHAINS = ['A012', 'A023', 'A036', 'A008']
THRESHOLD = 8.0
MODIFIED = {'MSE': 'M'}


def one_letter(resname):
    if resname in MODIFIED:
        return MODIFIED[resname]
    try:
        return index_to_one(three_to_index(resname))
    except (KeyError, ValueError):
        return None


def virtual_cb(n, ca, c):
    b = ca - n
    c_ = c - ca
    a = np.cross(b, c_)
    return -0.58273431 * a + 0.56802827 * b - 0.54067466 * c_ + ca


def coord(atom):
    # Bio.PDB stores float32; PDB files have 3 decimals, so rounding recovers the exact file value.
    return np.round(atom.coord.astype(np.float64), 3)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ['PLMBENCH_SOURCE_DATA'], 'structures')
    rows = {r['shiftx2_id']: r for r in csv.DictReader(open(os.path.join(data, 'index.csv')))}
    out = {'generator': 'test/golden/bio/make_contacts_golden.py', 'biopython_threshold_A': THRESHOLD, 'chains': {}}
    parser = PDBParser(QUIET=True)
    for cid in CHAINS:
        row = rows[cid]
        path = os.path.join(data, row['file'])
        raw = open(path, 'rb').read()
        with gzip.open(path, 'rt') as fh:
            structure = parser.get_structure(cid, fh)
        chain = structure[0][row['chain']]
        seqres = row['seqres_sequence']
        residues = []
        for res in chain:
            letter = one_letter(res.get_resname())
            if letter is None or 'CA' not in res:
                continue  # ligands, waters; residues without CA cannot be placed here
            residues.append((res.id[1], letter, res))
        offsets = [k for k in range(-residues[0][0] - 1, len(seqres) + 1)
                   if all(0 <= num + k < len(seqres) and seqres[num + k] == aa for num, aa, _ in residues)]
        if len(offsets) != 1:
            raise SystemExit(f'{cid}: {len(offsets)} numbering offsets fit SEQRES')
        off = offsets[0]
        L = len(seqres)
        cb = np.full((L, 3), np.nan)
        virtual = [0] * L
        for num, aa, res in residues:
            i = num + off
            if aa != 'G' and 'CB' in res:
                cb[i] = coord(res['CB'])
            elif all(a in res for a in ('N', 'CA', 'C')):
                cb[i] = virtual_cb(coord(res['N']), coord(res['CA']), coord(res['C']))
                virtual[i] = 1
        observed = [0 if math.isnan(cb[i][0]) else 1 for i in range(L)]
        cmap = bytearray(L * L)
        pairs = []
        closest = math.inf
        for i in range(L):
            if not observed[i]:
                continue
            for j in range(i, L):
                if not observed[j]:
                    continue
                dx, dy, dz = cb[i][0] - cb[j][0], cb[i][1] - cb[j][1], cb[i][2] - cb[j][2]
                d = math.sqrt(dx * dx + dy * dy + dz * dz)
                if i != j:
                    closest = min(closest, abs(d - THRESHOLD))
                if d < THRESHOLD:
                    cmap[i * L + j] = cmap[j * L + i] = 1
                    if j - i >= 6:
                        pairs.append([i, j])
        out['chains'][cid] = {
            'file': row['file'],
            'chain': row['chain'],
            'file_sha256': hashlib.sha256(raw).hexdigest(),
            'length': L,
            'numbering_offset': off,
            'observed': ''.join(map(str, observed)),
            'virtual': ''.join(map(str, virtual)),
            'cb': [None if not observed[i] else [round(float(v), 4) for v in cb[i]] for i in range(L)],
            'contact_map_sha256': hashlib.sha256(bytes(cmap)).hexdigest(),
            'n_contact_pairs': (sum(cmap) - sum(observed)) // 2,  # i < j, any separation
            'pairs_sep6': pairs,
            'closest_distance_to_threshold_A': round(closest, 5),
        }
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'contacts_golden.json')
    with open(dest, 'w') as fh:
        fh.write('{\n')
        fh.write(f'  "generator": {json.dumps(out["generator"])},\n  "threshold_A": {THRESHOLD},\n  "chains": {{\n')
        items = list(out['chains'].items())
        for k, (cid, c) in enumerate(items):
            fh.write(f'    {json.dumps(cid)}: {{\n')
            keys = list(c.keys())
            for m, key in enumerate(keys):
                sep = ',' if m < len(keys) - 1 else ''
                fh.write(f'      {json.dumps(key)}: {json.dumps(c[key], separators=(",", ":"))}{sep}\n')
            fh.write('    }' + (',' if k < len(items) - 1 else '') + '\n')
        fh.write('  }\n}\n')
    for cid, c in out['chains'].items():
        print(cid, c['length'], 'observed', c['observed'].count('1'), 'virtual', c['virtual'].count('1'),
              'pairs>=6', len(c['pairs_sep6']), 'closest |d-8|', c['closest_distance_to_threshold_A'])


if __name__ == '__main__':
    main()
