#!/usr/bin/python3
"""Writes checkpoints in the real public formats, with the real configurations and random weights, to
prove the exporters' loaders without downloading weights (no network here):

  make_synthetic.py esm2 OUT_DIR [--config 8M|35M|150M|650M] [--layers N]
      OUT_DIR/esm2_t{L}_{size}_UR50D.pt                 fair-esm layout: {'model': state dict with the
                                                        'encoder.sentence_encoder.' / 'encoder.' prefixes,
                                                        'cfg': {'model': Namespace(...)}, 'args': None}
      OUT_DIR/esm2_t{L}_{size}_UR50D-contact-regression.pt  {'model': contact_head.regression.*}
  make_synthetic.py progen2 OUT_DIR [--config small|medium] [--layers N]
      OUT_DIR/config.json + OUT_DIR/pytorch_model.bin   Salesforce ProGen2 layout, including the
                                                        attn.bias / attn.masked_bias buffers

--layers keeps the real width and heads but fewer layers (for quick tests). Weights are N(0, 0.02)
(LayerNorms N(1, 0.02)), seeded.
"""
import argparse
import json
import os
import sys
from argparse import Namespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))

# fair-esm pretrained.py / the ESM-2 paper (Lin et al. 2023), table of released models
ESM2_CONFIGS = {
    "8M": dict(layers=6, dim=320, heads=20),
    "35M": dict(layers=12, dim=480, heads=20),
    "150M": dict(layers=30, dim=640, heads=20),
    "650M": dict(layers=33, dim=1280, heads=20),
}
# config.json of the released checkpoints (salesforce/progen, progen2-small / progen2-medium)
PROGEN2_CONFIGS = {
    "small": {"n_embd": 1024, "n_layer": 12, "n_head": 16, "rotary_dim": 32},
    "medium": {"n_embd": 1536, "n_layer": 27, "n_head": 16, "rotary_dim": 48},
}
PROGEN2_COMMON = {
    "activation_function": "gelu_new", "architectures": ["ProGenForCausalLM"], "attn_pdrop": 0.0, "bos_token_id": 1,
    "embd_pdrop": 0.0, "eos_token_id": 2, "gradient_checkpointing": False, "initializer_range": 0.02,
    "layer_norm_epsilon": 1e-05, "model_type": "progen", "n_ctx": 2048, "n_inner": None, "n_positions": 1024,
    "resid_pdrop": 0.0, "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
    "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
    "tokenizer_class": "GPT2Tokenizer", "torch_dtype": "float32", "transformers_version": "4.16.2",
    "use_cache": True, "vocab_size": 32,
}


def randomize(model, torch):
    g = torch.Generator().manual_seed(7)
    for name, p in model.named_parameters():
        base = 1.0 if ("norm" in name or "ln_" in name) and name.endswith("weight") else 0.0
        p.data = base + 0.02 * torch.randn(p.shape, generator=g)


def make_esm2(out_dir, size, layers):
    import torch
    from plm_models import ESM2

    c = dict(ESM2_CONFIGS[size])
    if layers:
        c["layers"] = layers
    model = ESM2(num_layers=c["layers"], embed_dim=c["dim"], attention_heads=c["heads"], token_dropout=True,
                 contact_head=True)
    randomize(model, torch)
    sd = model.state_dict()
    state, regression = {}, {}
    for k, v in sd.items():
        if k.startswith("contact_head."):
            regression[k] = v.clone()
        elif k.startswith("lm_head."):
            state["encoder." + k] = v.clone()
        else:
            state["encoder.sentence_encoder." + k] = v.clone()
    cfg = Namespace(arch="esm2", encoder_layers=c["layers"], encoder_embed_dim=c["dim"],
                    encoder_ffn_embed_dim=4 * c["dim"], encoder_attention_heads=c["heads"], token_dropout=True,
                    max_positions=1024, dropout=0.0, attention_dropout=0.0)
    name = f"esm2_t{c['layers']}_{size}_UR50D"
    os.makedirs(out_dir, exist_ok=True)
    torch.save({"model": state, "cfg": {"model": cfg}, "args": None}, os.path.join(out_dir, name + ".pt"))
    torch.save({"model": regression}, os.path.join(out_dir, name + "-contact-regression.pt"))
    return os.path.join(out_dir, name + ".pt")


def make_progen2(out_dir, size, layers):
    import torch
    from plm_models import ProGenForCausalLM, progen_config

    raw = dict(PROGEN2_COMMON, **PROGEN2_CONFIGS[size])
    if layers:
        raw["n_layer"] = layers
    model = ProGenForCausalLM(progen_config(raw))
    randomize(model, torch)
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    n = raw["n_positions"]
    for i in range(raw["n_layer"]):
        sd[f"transformer.h.{i}.attn.bias"] = torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n)
        sd[f"transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e9)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
    torch.save(sd, os.path.join(out_dir, "pytorch_model.bin"))
    return out_dir


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=["esm2", "progen2"])
    p.add_argument("out_dir")
    p.add_argument("--config")
    p.add_argument("--layers", type=int)
    a = p.parse_args()
    if a.kind == "esm2":
        print(make_esm2(a.out_dir, a.config or "8M", a.layers))
    else:
        print(make_progen2(a.out_dir, a.config or "small", a.layers))


if __name__ == "__main__":
    main()
