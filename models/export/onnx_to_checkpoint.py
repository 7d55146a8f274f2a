#!/usr/bin/python3
"""Rebuilds the plmbench PyTorch checkpoint of a bundled example model from its ONNX file.

The exporters write the parameters as initializers under their checkpoint names (constant folding off)
and the card, with the architecture (training.config) and training log, as metadata; so the committed
ONNX file is enough to re-run the PyTorch side of the parity check (test_export.sh) without committing
the training checkpoint as well.

Usage: onnx_to_checkpoint.py models/plm-mlm-mini.onnx OUT.pt
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))


def main(src, dst):
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper

    from plm_models import ESM2, ProGenForCausalLM, progen_config

    model = onnx.load(src)
    meta = {p.key: p.value for p in model.metadata_props}
    if "plmbench.card" not in meta:
        sys.exit(f"onnx_to_checkpoint: {src} has no plmbench.card metadata")
    card = json.loads(meta["plmbench.card"])
    training = card.get("training") or {}
    cfg = training.get("config")
    if not cfg:
        sys.exit(f"onnx_to_checkpoint: the card of {src} has no training.config (not a bundled example model)")
    weights = {}
    for init in model.graph.initializer:
        name = init.name[len("model."):] if init.name.startswith("model.") else init.name
        weights[name] = torch.from_numpy(np.array(numpy_helper.to_array(init)))
    if card["objective"] == "mlm":
        net, fmt = ESM2(**cfg), "plmbench/esm2"
        if "lm_head.weight" not in weights and "embed_tokens.weight" in weights:
            weights["lm_head.weight"] = weights["embed_tokens.weight"]
    else:
        net, fmt = ProGenForCausalLM(progen_config(cfg)), "plmbench/progen2"
    sd = net.state_dict()
    missing = [k for k in sd if k not in weights and not k.endswith("inv_freq")]
    if missing:
        sys.exit(f"onnx_to_checkpoint: {src} lacks {missing[:3]}")
    state = {k: (weights[k] if k in weights else v) for k, v in sd.items()}
    torch.save({"format": fmt, "config": cfg, "model": state, "train_log": training}, dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1], sys.argv[2])
