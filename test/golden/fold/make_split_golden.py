"""Independent re-implementation (Python standard library) of the fold task's remote-homology split rules,
written from the rules as tasks/fold/README.md states them, run on the SCOPe 2.07 ASTRAL-40 source file.
Writes split_golden.json: the source sha256, sizes per role, and the sha256 of the sorted "id<TAB>sccs<TAB>role"
lines. test/task.fold.split.test.ts compares the bundled tasks/fold/data/astral40-fold-v1.fasta.gz with it.

    /usr/bin/python3 test/golden/fold/make_split_golden.py [path/to/astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa]
"""
import hashlib
import json
import os
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ['PLMBENCH_SOURCE_DATA'], 'scop/scope_2.07_astral40/astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa')
KEY = 'plmbench-fold-v1'
STANDARD = set('ACDEFGHIKLMNPQRSTVWY')
CAP = {'train': 60, 'valid': 8, 'test': 15}


def rank(name):
    return hashlib.sha256(f'{KEY}:{name}'.encode()).hexdigest()


def read(path):
    recs, cur = [], None
    with open(path, 'rb') as f:
        raw = f.read()
    for line in raw.decode().splitlines():
        if line.startswith('>'):
            parts = line[1:].split()
            cur = [parts[0], parts[1], []]
            recs.append(cur)
        elif line.strip():
            cur[2].append(line.strip())
    return raw, [(i, s, ''.join(c).upper()) for i, s, c in recs]


def group(items, key):
    g = OrderedDict()
    for t in items:
        g.setdefault(key(t), []).append(t)
    return g


def hold_out(groups, divisor):
    names = sorted(groups, key=rank)
    if len(names) < 2:
        return names, []
    largest = max(names, key=lambda n: (len(groups[n]), -names.index(n)))
    others = [n for n in names if n != largest]
    k = len(names) // divisor
    return [largest] + others[k:], others[:k]


def round_robin(doms, cap):
    if len(doms) <= cap:
        return list(doms)
    fams = group(doms, lambda d: d[1])
    order = [sorted(fams[f], key=lambda d: rank(d[0])) for f in sorted(fams, key=rank)]
    out, r = [], 0
    while len(out) < cap:
        for fam in order:
            if r < len(fam) and len(out) < cap:
                out.append(fam[r])
        r += 1
    return out


def fold_of(s):
    return '.'.join(s.split('.')[:2])


def sf_of(s):
    return '.'.join(s.split('.')[:3])


def main():
    raw, recs = read(SOURCE)
    kept = [d for d in recs if d[1][0] in 'abcdefg' and set(d[2]) <= STANDARD]
    role = {}
    for fold, fds in group(kept, lambda d: fold_of(d[1])).items():
        sfs = group(fds, lambda d: sf_of(d[1]))
        elig = OrderedDict((k, v) for k, v in sfs.items() if len(v) >= 3)
        if len(elig) < 2:
            continue
        train_sfs, held_sfs = hold_out(elig, 2)
        for s in held_sfs:
            for d in elig[s]:
                role[d[0]] = 'test_fold'
        pool = []
        for s in train_sfs:
            fams = group(elig[s], lambda d: d[1])
            train_fams, held_fams = hold_out(fams, 2)
            for f in held_fams:
                for d in fams[f]:
                    role[d[0]] = 'test_superfamily'
            for f in train_fams:
                members = sorted(fams[f], key=lambda d: rank(d[0]))
                k = len(members) // 3
                for i, d in enumerate(members):
                    if i < k:
                        role[d[0]] = 'test_family'
                    else:
                        pool.append(d)
        for i, d in enumerate(sorted(pool, key=lambda d: rank('valid:' + d[0]))):
            role[d[0]] = 'valid' if (i + 1) % 6 == 0 else 'train'
    labelled = [d for d in kept if d[0] in role]
    final = {}
    for fold, fds in group(labelled, lambda d: fold_of(d[1])).items():
        by = lambda r: [d for d in fds if role[d[0]] == r]
        train = round_robin(by('train'), CAP['train'])
        chosen = train + round_robin(by('valid'), CAP['valid']) + round_robin(by('test_fold'), CAP['test'])
        sfs = {sf_of(d[1]) for d in train}
        fams = {d[1] for d in train}
        chosen += round_robin([d for d in by('test_superfamily') if sf_of(d[1]) in sfs], CAP['test'])
        chosen += round_robin([d for d in by('test_family') if d[1] in fams], CAP['test'])
        for d in chosen:
            final[d[0]] = role[d[0]]
    out = [d for d in labelled if d[0] in final]
    lines = sorted(f'{d[0]}\t{d[1]}\t{final[d[0]]}' for d in out)
    sizes = {}
    for r in ['train', 'valid', 'test_fold', 'test_superfamily', 'test_family']:
        ds = [d for d in out if final[d[0]] == r]
        sizes[r] = {'folds': len({fold_of(d[1]) for d in ds}), 'superfamilies': len({sf_of(d[1]) for d in ds}),
                    'families': len({d[1] for d in ds}), 'domains': len(ds), 'residues': sum(len(d[2]) for d in ds)}
    golden = {
        'source_sha256': hashlib.sha256(raw).hexdigest(),
        'records': len(recs),
        'kept_after_class_and_letters': len(kept),
        'domains': len(out),
        'sizes': sizes,
        'assignment_sha256': hashlib.sha256(('\n'.join(lines) + '\n').encode()).hexdigest(),
    }
    with open(os.path.join(HERE, 'split_golden.json'), 'w') as f:
        json.dump(golden, f, indent=2)
        f.write('\n')
    print(json.dumps(golden, indent=2))


main()
