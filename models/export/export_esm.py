#!/usr/bin/python3
"""Exports an ESM-2-style masked protein LM to ONNX under the plmbench model contract.

  export_esm.py CHECKPOINT --out x.onnx --train-tokens N [--id ...] [--family esm2] [--license MIT]

CHECKPOINT is one of
  * a fair-esm ESM-2 file (esm2_t6_8M_UR50D.pt ...: a dict with 'model' and 'cfg'); fair-esm's state-dict
    upgrade is applied and the contact regression is read from <name>-contact-regression.pt beside it
    (or --regression FILE) when present, which adds the `contacts` output;
  * a plmbench checkpoint written by models/train/train.py --objective mlm;
  * anything, with --factory FILE.py:FUNCTION returning a torch module whose forward has fair-esm's ESM2
    signature forward(tokens, repr_layers=[], need_head_weights=False, return_contacts=False) and result
    dict ('logits', 'representations', 'attentions', optionally 'contacts'). Its data-dependent Python
    branches are traced once, on a padded batch; check the parity report.

Graph: input `input_ids` int64 [batch, length] (no attention mask: padding, id 1, is masked inside the
graph); outputs `logits` [batch, length, 33], `hidden_states` [batch, length, dim] (fair-esm
representations[num_layers], after emb_layer_norm_after), `attentions` [batch, layers, heads, length, length]
(post-softmax; rows and columns of padding zeroed as fair-esm does), and `contacts` [batch, length-2,
length-2] when there is a contact head. Opset 17, dynamic batch and length. The card goes to
<out stem>.card.json and into the ONNX metadata (key plmbench.card). After writing, the export is run with
onnxruntime-node on real sequences, alone and as one right-padded batch, and compared with PyTorch
(max |difference| must be <= 1e-4); exit code 1 when it is not.
"""
import inspect
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plm_export as X  # noqa: E402

PROG = "export_esm"
ESM_VOCAB_SIZE = 33
PAD = 1


# ESM-1 family architectures (fair-esm args.arch): learned positions, not ESM-2.
ESM1_ARCHS = ("roberta_large", "protein_bert_base", "msa_transformer", "esm1", "esm1b")
FAIR_ESM_META = {"family": "esm2", "license": "MIT", "maxLength": 1026, "trainTokens": None, "training": None,
                 "kind": "fair-esm"}
# ESM-2 geometry under the names the three conventions use: this exporter's ESM2 (fair-esm's constructor),
# fair-esm's hydra cfg / argparse args, Hugging Face EsmConfig.
GEOMETRY_NAMES = {
    "num_layers": ("num_layers", "encoder_layers", "layers", "num_hidden_layers"),
    "embed_dim": ("embed_dim", "encoder_embed_dim", "hidden_size"),
    "attention_heads": ("attention_heads", "encoder_attention_heads", "num_attention_heads"),
    "token_dropout": ("token_dropout",),
}


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def esm2_geometry(path, config, state):
    """num_layers, embed_dim, attention_heads, token_dropout from a config (dict or namespace, any of the
    naming conventions), layers and width checked against (or taken from) the weights."""
    cfg = {}
    for key, names in GEOMETRY_NAMES.items():
        for n in names:
            v = _get(config, n) if config is not None else None
            if v is not None:
                cfg[key] = v
                break
    layer_ids = {int(k.split(".")[1]) for k in state if k.startswith("layers.") and k.split(".")[1].isdigit()}
    from_weights = {"num_layers": len(layer_ids) or None,
                    "embed_dim": int(state["embed_tokens.weight"].shape[1]) if "embed_tokens.weight" in state else None}
    for key, v in from_weights.items():
        if v is None:
            continue
        if key in cfg and int(cfg[key]) != v:
            raise X.UserError(f"{path}: the config says {key} = {cfg[key]}, the weights have {v}")
        cfg.setdefault(key, v)
    missing = [k for k in ("num_layers", "embed_dim", "attention_heads") if k not in cfg]
    if missing:
        raise X.UserError(f"{path}: cannot tell the ESM-2 {', '.join(missing)} (give a config with "
                          f"{' / '.join(GEOMETRY_NAMES[missing[0]][:3])})")
    return dict(num_layers=int(cfg["num_layers"]), embed_dim=int(cfg["embed_dim"]),
                attention_heads=int(cfg["attention_heads"]), token_dropout=bool(cfg.get("token_dropout", True)))


def strip_prefixes(state):
    """fair-esm's own prefixes (esm2_upgrade_state_dict) and those of wrappers: DDP 'module.', 'model.'."""
    from plm_models import esm2_upgrade_state_dict

    out = {}
    for k, v in state.items():
        for pre in ("module.", "model."):
            if k.startswith(pre):
                k = k[len(pre):]
        out[k] = v
    return esm2_upgrade_state_dict(out)


def load_checkpoint_file(path):
    """A torch file: a plmbench checkpoint, or a fair-esm-style dict with weights under 'model' or
    'state_dict' and the geometry under 'cfg' (fair-esm hydra), 'config' or 'args'. Returns (cfg, state, meta)."""
    import torch

    if not os.path.exists(path):
        raise X.UserError(f"no such checkpoint: {path}")
    try:
        data = torch.load(path, map_location="cpu")
    except ModuleNotFoundError as e:
        raise X.UserError(f"cannot read {path}: unpickling needs the python module {e.name!r}")
    except Exception as e:  # noqa: BLE001
        raise X.UserError(f"cannot read {path} as a torch checkpoint: {str(e).splitlines()[0]}")
    if not isinstance(data, dict):
        raise X.UserError(f"{path} holds a {type(data).__name__}, not a checkpoint dict; use --factory for pickled modules")
    if data.get("format") == "plmbench/esm2":
        log = data.get("train_log", {})
        meta = {"family": "plmbench-mini", "license": "MIT", "maxLength": log.get("args", {}).get("crop", 1026),
                "trainTokens": log.get("trainTokens"), "training": log, "kind": "plmbench"}
        return dict(data["config"]), data["model"], meta
    weights = data.get("model", data.get("state_dict"))
    args = data.get("args")
    arch = str(_get(args, "arch") or "") if args is not None else ""
    if arch in ESM1_ARCHS or arch.startswith("esm1"):
        raise X.UserError(f"{path} is a fair-esm '{arch}' checkpoint (ESM-1/ESM-1b/ESM-1v/MSA Transformer): "
                          "learned positions, not the ESM-2 architecture this exporter builds")
    if not isinstance(weights, dict):
        raise X.UserError(f"{path} is not an ESM-2 checkpoint (expected the weights under 'model' or 'state_dict' "
                          f"and the geometry under 'cfg', 'config' or 'args'); keys: {sorted(map(str, data))[:6]}")
    if "cfg" in data and data["cfg"] is not None:
        cfg = data["cfg"]
        config = cfg["model"] if isinstance(cfg, dict) and "model" in cfg else _get(cfg, "model") or cfg
    else:
        config = data.get("config", args)
    state = strip_prefixes(weights)
    return esm2_geometry(path, config, state), state, dict(FAIR_ESM_META)


# Hugging Face EsmForMaskedLM parameter names -> this exporter's ESM2 (fair-esm) names; the inverse of
# transformers' models/esm/convert_esm.py.
HF_ESM_RENAMES = [
    (r"^esm\.embeddings\.word_embeddings\.", "embed_tokens."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.self\.query\.", r"layers.\1.self_attn.q_proj."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.self\.key\.", r"layers.\1.self_attn.k_proj."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.self\.value\.", r"layers.\1.self_attn.v_proj."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.self\.rotary_embeddings\.", r"layers.\1.self_attn.rot_emb."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.self_attn.out_proj."),
    (r"^esm\.encoder\.layer\.(\d+)\.attention\.LayerNorm\.", r"layers.\1.self_attn_layer_norm."),
    (r"^esm\.encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.fc1."),
    (r"^esm\.encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.fc2."),
    (r"^esm\.encoder\.layer\.(\d+)\.LayerNorm\.", r"layers.\1.final_layer_norm."),
    (r"^esm\.encoder\.emb_layer_norm_after\.", "emb_layer_norm_after."),
    (r"^esm\.contact_head\.", "contact_head."),
    (r"^lm_head\.decoder\.weight$", "lm_head.weight"),
    (r"^lm_head\.decoder\.bias$", "lm_head.bias"),
    (r"^lm_head\.", "lm_head."),
]
HF_ESM_DROPPED = (r"^esm\.embeddings\.position_ids$", r"^esm\.embeddings\.position_embeddings\.")


def read_safetensors(path):
    """A .safetensors file as {name: tensor} without the safetensors package (8-byte header length,
    JSON header with dtype, shape and byte offsets, then the raw little-endian data)."""
    import struct
    import torch

    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
              "I64": torch.int64, "I32": torch.int32}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        if h["dtype"] not in dtypes:
            raise X.UserError(f"{path}: tensor {name} has dtype {h['dtype']}, which this reader does not handle")
        a, b = h["data_offsets"]
        t = torch.frombuffer(bytearray(body[a:b]), dtype=dtypes[h["dtype"]]) if b > a else torch.empty(0, dtype=dtypes[h["dtype"]])
        out[name] = t.reshape(h["shape"]).clone()
    return out


def load_hf_folder(path):
    """A Hugging Face EsmForMaskedLM folder (config.json + pytorch_model.bin or model.safetensors), converted
    to this exporter's ESM2 names. Returns (cfg, state, meta)."""
    import re
    import torch

    with open(os.path.join(path, "config.json")) as f:
        config = json.load(f)
    archs = config.get("architectures") or []
    if config.get("model_type") != "esm" or (archs and "EsmForMaskedLM" not in archs):
        raise X.UserError(f"{path} is a Hugging Face {config.get('model_type')!r} folder ({', '.join(archs) or 'no architectures'}); "
                          "this exporter reads EsmForMaskedLM (ESM-2) folders")
    if config.get("position_embedding_type", "rotary") != "rotary" or config.get("is_folding_model"):
        raise X.UserError(f"{path}: position_embedding_type {config.get('position_embedding_type')!r}: "
                          "ESM-1 style learned positions, not the ESM-2 architecture this exporter builds")
    if int(config.get("vocab_size", ESM_VOCAB_SIZE)) != ESM_VOCAB_SIZE:
        raise X.UserError(f"{path}: vocab_size {config.get('vocab_size')}, the esm vocabulary has {ESM_VOCAB_SIZE}")
    st, binf = os.path.join(path, "model.safetensors"), os.path.join(path, "pytorch_model.bin")
    if os.path.exists(st):
        raw = read_safetensors(st)
    elif os.path.exists(binf):
        raw = torch.load(binf, map_location="cpu")
    else:
        raise X.UserError(f"{path} has no model.safetensors nor pytorch_model.bin (sharded checkpoints: merge them first)")
    state, unknown = {}, []
    for k, v in raw.items():
        if any(re.search(d, k) for d in HF_ESM_DROPPED):
            continue
        for pat, rep in HF_ESM_RENAMES:
            if re.search(pat, k):
                state[re.sub(pat, rep, k)] = v
                break
        else:
            unknown.append(k)
    if unknown:
        raise X.UserError(f"{path} has {len(unknown)} weight(s) EsmForMaskedLM does not, e.g. {unknown[0]}")
    if "lm_head.weight" not in state and "embed_tokens.weight" in state:
        state["lm_head.weight"] = state["embed_tokens.weight"]  # tied in the HF model too
    meta = {"family": "esm2", "license": None, "maxLength": int(config.get("max_position_embeddings", 1026)),
            "trainTokens": None, "training": None, "kind": "hf-esm"}
    return esm2_geometry(path, config, state), state, meta


def load_checkpoint(path, regression):
    """Returns (model, meta) where meta has family, license, maxLength, trainTokens, training, source."""
    import torch
    from plm_models import ESM2

    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "config.json")):
            cfg, state, meta = load_hf_folder(path)
        else:
            raise X.UserError(f"{path} is a folder without config.json, not a checkpoint")
    else:
        cfg, state, meta = load_checkpoint_file(path)
    if meta["kind"] == "fair-esm":
        reg = regression
        if reg is None:
            cand = path[:-3] + "-contact-regression.pt" if path.endswith(".pt") else None
            reg = cand if cand and os.path.exists(cand) else None
        if reg is not None:
            if not os.path.exists(reg):
                raise X.UserError(f"--regression: no such file {reg}")
            rd = torch.load(reg, map_location="cpu")
            state = dict(state)
            state.update(rd["model"] if isinstance(rd, dict) and "model" in rd else rd)
    has_contacts = "contact_head.regression.weight" in state
    model = ESM2(contact_head=has_contacts, **{k: cfg[k] for k in ("num_layers", "embed_dim", "attention_heads",
                                                                      "token_dropout")})
    expected = set(model.state_dict())
    found = set(state)
    tolerated = {k for k in expected if k.endswith("rot_emb.inv_freq")} | {"lm_head.weight"}
    missing = sorted(expected - found - tolerated)
    if missing:
        raise X.UserError(f"{path} lacks {len(missing)} weight(s) the contract needs, e.g. {missing[0]} "
                          "(logits need the LM head; this exporter wants a full ESM-2 masked LM)")
    if "embed_tokens.weight" in found and "lm_head.weight" in found:
        if not torch.equal(state["embed_tokens.weight"], state["lm_head.weight"]):
            raise X.UserError(f"{path}: lm_head.weight differs from embed_tokens.weight; ESM-2 ties them")
    unexpected = sorted(found - expected)
    if unexpected:
        raise X.UserError(f"{path} has {len(unexpected)} weight(s) ESM-2 does not, e.g. {unexpected[0]}")
    shape_errors = [k for k in found & expected if tuple(state[k].shape) != tuple(model.state_dict()[k].shape)]
    if shape_errors:
        k = shape_errors[0]
        raise X.UserError(f"{path}: {k} has shape {tuple(state[k].shape)}, the config implies "
                          f"{tuple(model.state_dict()[k].shape)}")
    for k in found & expected:
        if k.endswith("rot_emb.inv_freq"):
            if not torch.allclose(state[k].float(), model.state_dict()[k], rtol=1e-6, atol=0):
                raise X.UserError(f"{path}: {k} is not the standard rotary frequency table")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    model.eval()
    return model, meta


class EsmContract:
    """Wraps a module with fair-esm's ESM2 forward into the contract's (input_ids) -> outputs."""

    def __new__(cls, model, num_layers, with_contacts):
        import torch

        class _Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, input_ids):
                r = self.model(input_ids, repr_layers=[num_layers], need_head_weights=True,
                               return_contacts=with_contacts)
                outs = [r["logits"], r["representations"][num_layers], r["attentions"]]
                if with_contacts:
                    outs.append(r["contacts"])
                return tuple(outs)

        return _Wrapper()


def check_forward(model):
    """Checks the forward signature and one probe call; returns (num_layers, with_contacts, dims)."""
    import torch
    from plm_data import esm_encode

    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        params = {}
    for name, why in (("tokens", "the contract's input_ids"), ("repr_layers", "hidden_states"),
                      ("need_head_weights", "attentions")):
        if name not in params:
            raise X.UserError(f"the model's forward lacks the argument {name!r} of fair-esm's "
                              f"forward(tokens, repr_layers, need_head_weights, return_contacts); {why} need(s) it")
    num_layers = getattr(model, "num_layers", None)
    if num_layers is None and hasattr(model, "layers"):
        num_layers = len(model.layers)
    if not isinstance(num_layers, int) or num_layers < 1:
        raise X.UserError("cannot tell the model's number of layers (no num_layers attribute nor layers list)")
    toks = torch.tensor([esm_encode(X.PROBE_SEQUENCES[0])])
    L = toks.shape[1]
    with torch.no_grad():
        try:
            r = model(toks, repr_layers=[num_layers], need_head_weights=True)
        except Exception as e:  # noqa: BLE001
            raise X.UserError(f"the model's forward failed on a probe sequence: {type(e).__name__}: {e}")
        if not isinstance(r, dict) or "logits" not in r:
            raise X.UserError("the model's forward returned no 'logits' entry")
        lg = r["logits"]
        if tuple(lg.shape) != (1, L, ESM_VOCAB_SIZE):
            raise X.UserError(f"logits have shape {tuple(lg.shape)}, expected (1, {L}, {ESM_VOCAB_SIZE}) for the esm vocabulary")
        rep = r.get("representations", {}).get(num_layers)
        if rep is None or rep.ndim != 3 or rep.shape[:2] != (1, L):
            raise X.UserError(f"the model's forward returned no representations[{num_layers}] of shape (1, {L}, dim)")
        at = r.get("attentions")
        if at is None or at.ndim != 5 or at.shape[0] != 1 or at.shape[1] != num_layers or at.shape[3:] != (L, L):
            raise X.UserError(f"the model's forward returned no attentions of shape (1, {num_layers}, heads, {L}, {L}) "
                              "with need_head_weights=True")
        with_contacts = False
        if "return_contacts" in params and getattr(model, "contact_head", None) is not None:
            c = model(toks, return_contacts=True).get("contacts")
            with_contacts = c is not None and tuple(c.shape) == (1, L - 2, L - 2)
    return num_layers, with_contacts, {"dim": int(rep.shape[2]), "heads": int(at.shape[2])}


def count_for_card(model):
    from plm_models import ESM2, count_params

    if isinstance(model, ESM2):
        return count_params(model)
    seen, total, emb = set(), 0, 0
    import torch

    for m in model.modules():
        for p in m.parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            total += p.numel()
            if isinstance(m, torch.nn.Embedding) or (p.ndim == 1 and p.shape[0] == ESM_VOCAB_SIZE):
                emb += p.numel()
    return total - emb, total


def main(argv=None):
    p = X.base_parser(__doc__.split("\n\n")[0])
    p.add_argument("--regression", help="fair-esm contact regression file (default: <checkpoint stem>-contact-regression.pt)")
    p.add_argument("--no-contacts", action="store_true", help="leave the contacts output out")
    args = p.parse_args(argv)
    try:
        import torch
        from plm_data import esm_encode

        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        if args.print_probes:
            X.print_probes(esm_encode)
            return 0
        model, meta = X.load_model(args, load_checkpoint, args.regression)
        num_layers, with_contacts, dims = check_forward(model)
        if args.no_contacts:
            with_contacts = False
        available = ["logits", "hidden_states", "attentions"] + (["contacts"] if with_contacts else [])
        names, io = X.parse_output_names(args.output_name, available)
        if with_contacts is False and getattr(model, "contact_head", None) is not None:
            model.contact_head = None  # not exported: keep it out of the parameter counts
        nonemb, total = count_for_card(model)
        ck_hash = X.sha256_file(args.checkpoint)[:16] if os.path.isfile(args.checkpoint) else "n/a"
        source = f"models/export/export_esm.py @ {X.git_commit()} from {os.path.basename(args.checkpoint)} (sha256 {ck_hash}...)"
        if meta["kind"] == "plmbench" and "args" in meta["training"]:  # trained by train.py (not a random control)
            source = f"models/train/train.py --objective mlm, seed {meta['training']['args']['seed']}; " + source
        card = X.build_card(args, meta, objective="mlm", vocab="esm", params=nonemb, params_total=total,
                            io=io, source=source)

        wrapper = EsmContract(model, num_layers, with_contacts).eval()
        singles = [torch.tensor([esm_encode(s)]) for s in X.PROBE_SEQUENCES]
        reference = X.load_reference(args, singles, ESM_VOCAB_SIZE)
        batch, _ = X.pad_batch(singles, PAD)  # ESM masks padding by the pad id: no mask input
        dyn = {"input_ids": {0: "batch", 1: "length"}, names[0]: {0: "batch", 1: "length"},
               names[1]: {0: "batch", 1: "length"}, names[2]: {0: "batch", 3: "length", 4: "length"}}
        if with_contacts:
            dyn[names[3]] = {0: "batch", 1: "contact_length", 2: "contact_length"}
        X.onnx_export(wrapper, (batch,), args.out, ["input_ids"], names, dyn)
        card_path = X.save_card(args.out, card, {names[0]: {2: ESM_VOCAB_SIZE}, names[1]: {2: dims["dim"]},
                                                 names[2]: {1: num_layers, 2: dims["heads"]}})

        # parity: PyTorch vs onnxruntime-node, each sequence alone and the right-padded batch
        expected, pad_diff, worst = X.check_padding_and_parity(
            PROG, args.out, wrapper, [{"input_ids": t} for t in singles], {"input_ids": batch}, names,
            not args.no_verify)
        if reference is not None:
            reference["maxAbsDiff"] = X.reference_check(PROG, args.out, [{"input_ids": t} for t in singles], reference,
                                                        names[0], args.reference_tolerance)
        if args.golden:
            X.write_probe_golden(args.golden, card, singles, expected, names[0])
        fp16 = X.fp16_variant(PROG, args.out, [{"input_ids": t} for t in singles], {"input_ids": batch}, expected,
                              not args.no_verify) if args.fp16 else None
        size = X.export_bytes(args.out)
        report = {"onnx": args.out, "bytes": size, "card": card_path, "outputs": names, "params": nonemb,
                  "paramsTotal": total, "layers": num_layers, **dims, "paddingMaxAbsDiff": pad_diff,
                  "parityMaxAbsDiff": worst,
                  **({"referenceMaxAbsDiff": reference["maxAbsDiff"]} if reference is not None else {}),
                  **({"fp16": fp16} if fp16 is not None else {})}
        print(json.dumps(report))
        return 0
    except X.UserError as e:
        X.fail(PROG, str(e))


if __name__ == "__main__":
    sys.exit(main())
