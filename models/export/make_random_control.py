#!/usr/bin/python3
"""Random-weights controls of the bundled example models: the same architecture, configuration and
vocabulary as models/plm-{mlm,clm}-mini.onnx, with the untrained initialisation of train/train.py (seeded),
exported like the examples. Scores of a trained model mean something only next to its control's.

Usage: make_random_control.py {mlm|clm} OUT.onnx [--seed N]
Needs Debian's python3-torch and python3-onnx; the exporter checks the file with onnxruntime-node (npm ci).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "models", "train"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("objective", choices=["mlm", "clm"])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import torch
    from plm_models import ESM2, ProGenForCausalLM, progen_config

    example = os.path.join(ROOT, "models", f"plm-{args.objective}-mini.card.json")
    with open(example) as f:
        card = json.load(f)
    cfg = card["training"]["config"]
    torch.manual_seed(args.seed)
    if args.objective == "mlm":
        net, fmt, exporter = ESM2(**cfg), "plmbench/esm2", "export_esm.py"
    else:
        net, fmt, exporter = ProGenForCausalLM(progen_config(cfg)), "plmbench/progen2", "export_causal.py"
    stem = os.path.splitext(os.path.basename(args.out))[0]
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "random.pt")
        log = {"note": f"random initialisation (seed {args.seed}) of the {card['id']} architecture; not trained", "config": cfg}
        torch.save({"format": fmt, "config": cfg, "model": net.state_dict(), "train_log": log}, ckpt)
        cmd = [sys.executable, os.path.join(HERE, exporter), ckpt, "--out", args.out, "--id", stem,
               "--train-tokens", "1", "--max-length", str(card["maxLength"]), "--family", "plmbench-mini-random",
               "--source", f"models/export/make_random_control.py {args.objective} --seed {args.seed}"]
        sys.exit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
