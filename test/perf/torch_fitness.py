#!/usr/bin/python3
"""Masked-marginals scoring of one ProteinGym assay with the bundled masked example model in PyTorch
eager mode, on the CPU: the reference point of `npm run bench:perf` for the harness's fitness task.

It rebuilds the PyTorch model from the ONNX file (models/export/onnx_to_checkpoint.py), then does what
tasks/fitness does for `masked-marginals`: one forward pass of the wild type per distinct mutated
position with that position masked, batched under the same token budget, log-softmax at the masked
position, score = sum over a variant's sites of log p(mut) - log p(wt). Prints one JSON line.

Usage: torch_fitness.py MODEL.onnx ASSAY.csv WILD_TYPE [MAX_TOKENS] [THREADS]
Needs Debian's python3-torch, python3-onnx, python3-scipy.
"""
import csv
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models", "export"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models", "train"))

ESM_TOKENS = ["<cls>", "<pad>", "<eos>", "<unk>"] + list("LAGVSERTIDPKQNFYMHWCXBUZO.-") + ["<null_1>", "<mask>"]


def main(model_path, assay, wt, max_tokens=4096, threads=0):
    import torch
    from scipy.stats import spearmanr

    import onnx_to_checkpoint
    from plm_models import ESM2

    # Debian's torch may start with one thread: use the cores, as onnxruntime does by default.
    torch.set_num_threads(threads or os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt_path = os.path.join(tmp, "model.pt")
        onnx_to_checkpoint.main(model_path, ckpt_path)
        ckpt = torch.load(ckpt_path)
    net = ESM2(**ckpt["config"])
    net.load_state_dict(ckpt["model"])
    net.eval()

    t0 = time.perf_counter()
    with open(assay) as f:
        rows = list(csv.DictReader(f))
    variants = [(r["mutant"], float(r["DMS_score"])) for r in rows]
    positions = sorted({int(m[1:-1]) - 1 for v, _ in variants for m in v.split(":")})
    idx = {t: i for i, t in enumerate(ESM_TOKENS)}
    base = [idx["<cls>"]] + [idx[a] for a in wt] + [idx["<eos>"]]
    L = len(base)
    batch = max(1, max_tokens // L)
    logp = {}
    t_inf = 0.0
    with torch.no_grad():
        for s in range(0, len(positions), batch):
            chunk = positions[s : s + batch]
            toks = torch.tensor([base] * len(chunk), dtype=torch.long)
            for b, p in enumerate(chunk):
                toks[b, p + 1] = idx["<mask>"]
            ti = time.perf_counter()
            out = net(toks)["logits"]
            t_inf += time.perf_counter() - ti
            lsm = torch.log_softmax(out.double(), dim=-1)
            for b, p in enumerate(chunk):
                logp[p] = lsm[b, p + 1]
    scores = []
    for v, _ in variants:
        sc = 0.0
        for m in v.split(":"):
            p = int(m[1:-1]) - 1
            sc += float(logp[p][idx[m[-1]]] - logp[p][idx[m[0]]])
        scores.append(sc)
    seconds = time.perf_counter() - t0
    rho = spearmanr([d for _, d in variants], scores).correlation
    print(json.dumps({
        "seconds": seconds, "inferenceSeconds": t_inf, "forwardPasses": len(positions), "variants": len(variants),
        "spearman": rho, "threads": torch.get_num_threads(), "torch": torch.__version__,
    }))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-2])
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(x) for x in sys.argv[4:6]))
