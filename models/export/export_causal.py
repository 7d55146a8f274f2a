#!/usr/bin/python3
"""Exports a ProGen2-style causal protein LM to ONNX under the plmbench model contract.

  export_causal.py CHECKPOINT --out x.onnx --train-tokens N [--id ...] [--family progen2] [--license ...]

CHECKPOINT is one of
  * a ProGen2 Hugging Face checkpoint folder: config.json (Salesforce's layout with n_embd/vocab_size, or the
    hugohrban layout with embed_dim/vocab_size_emb/vocab_size_lm_head) and pytorch_model.bin or
    model.safetensors (float16/bfloat16 weights are exported as float32);
  * a plmbench checkpoint written by models/train/train.py --objective clm;
  * anything, with --factory FILE.py:FUNCTION returning a torch module whose forward takes
    (input_ids, attention_mask, output_hidden_states=..., output_attentions=..., return_dict=...) and
    returns an object (or dict) with .logits, .hidden_states (last = final normalized representation)
    and .attentions (one [batch, heads, length, length] tensor per layer), as Hugging Face causal LMs do.

Graph: inputs `input_ids` and `attention_mask` int64 [batch, length] (right padding, mask 1 on real
tokens); outputs `logits` [batch, length, vocab] (position i predicts token i+1), `hidden_states`
[batch, length, dim] (after transformer.ln_f), `attentions` [batch, layers, heads, length, length]
(post-softmax). Opset 17, dynamic batch and length. The card goes to <out stem>.card.json and into the
ONNX metadata (key plmbench.card). After writing, the export is run with onnxruntime-node on real
sequences, alone and as one right-padded batch, and compared with PyTorch (max |difference| <= 1e-4 on
the real positions' logits and on all outputs of each run); exit code 1 when it is not.
"""
import inspect
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plm_export as X  # noqa: E402

PROG = "export_causal"
PAD = 0


def read_safetensors(path):
    """Minimal safetensors reader (the package is not needed): F32, F16, BF16."""
    import torch

    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
              "BOOL": torch.bool, "U8": torch.uint8}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(f.read())
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in dtypes:
            raise X.UserError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        a, b = info["data_offsets"]
        t = torch.frombuffer(data[a:b], dtype=dtypes[info["dtype"]]) if b > a else torch.empty(0, dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out


def load_checkpoint(path):
    """Returns (model, meta)."""
    import torch
    from plm_models import ProGenForCausalLM, progen_clean_state_dict, progen_config

    if not os.path.exists(path):
        raise X.UserError(f"no such checkpoint: {path}")
    if os.path.isdir(path):
        cfg_path = os.path.join(path, "config.json")
        if not os.path.exists(cfg_path):
            raise X.UserError(f"{path} has no config.json; expected a ProGen2 Hugging Face checkpoint folder")
        with open(cfg_path) as f:
            raw = json.load(f)
        if raw.get("model_type") not in (None, "progen"):
            raise X.UserError(f"{cfg_path}: model_type {raw.get('model_type')!r} is not progen; "
                              "use --factory for other causal LMs")
        bin_path = os.path.join(path, "pytorch_model.bin")
        st_path = os.path.join(path, "model.safetensors")
        if os.path.exists(bin_path):
            try:
                state = torch.load(bin_path, map_location="cpu")
            except Exception as e:  # noqa: BLE001
                raise X.UserError(f"cannot read {bin_path}: {str(e).splitlines()[0]}")
        elif os.path.exists(st_path):
            state = read_safetensors(st_path)
        else:
            raise X.UserError(f"{path} has neither pytorch_model.bin nor model.safetensors "
                              "(sharded checkpoints: merge them first)")
        try:
            cfg = progen_config(raw)
        except ValueError as e:
            raise X.UserError(f"{cfg_path}: {e}")
        meta = {"family": "progen2", "license": "BSD-3-Clause", "maxLength": int(cfg.n_positions),
                "trainTokens": None, "training": None, "kind": "hf"}
    else:
        try:
            data = torch.load(path, map_location="cpu")
        except Exception as e:  # noqa: BLE001
            raise X.UserError(f"cannot read {path} as a torch checkpoint: {str(e).splitlines()[0]}")
        if not (isinstance(data, dict) and data.get("format") == "plmbench/progen2"):
            raise X.UserError(f"{path} is not a plmbench causal checkpoint; pass a ProGen2 checkpoint folder "
                              "(config.json + pytorch_model.bin) or use --factory")
        cfg = progen_config(data["config"])
        state = data["model"]
        log = data.get("train_log", {})
        meta = {"family": "plmbench-mini", "license": "MIT", "maxLength": log.get("args", {}).get("crop", cfg.n_positions),
                "trainTokens": log.get("trainTokens"), "training": log, "kind": "plmbench"}
    try:
        model = ProGenForCausalLM(cfg)
    except ValueError as e:
        raise X.UserError(f"{path}: {e}")
    state = progen_clean_state_dict(state)
    expected, found = set(model.state_dict()), set(state)
    missing = sorted(expected - found)
    if missing:
        raise X.UserError(f"{path} lacks {len(missing)} weight(s) the contract needs, e.g. {missing[0]} "
                          "(logits need lm_head; this exporter wants a full ProGenForCausalLM)")
    unexpected = sorted(found - expected)
    if unexpected:
        raise X.UserError(f"{path} has {len(unexpected)} weight(s) ProGen2 does not, e.g. {unexpected[0]}")
    for k in expected:
        if tuple(state[k].shape) != tuple(model.state_dict()[k].shape):
            raise X.UserError(f"{path}: {k} has shape {tuple(state[k].shape)}, config.json implies "
                              f"{tuple(model.state_dict()[k].shape)}")
    model.load_state_dict({k: v.float() for k, v in state.items()})
    model.eval()
    return model, meta


def _get(out, name):
    if isinstance(out, dict):
        return out.get(name)
    return getattr(out, name, None)


class CausalContract:
    def __new__(cls, model):
        import torch

        class _Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask):
                out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True,
                                 output_attentions=True, return_dict=True)
                return (_get(out, "logits").float(), _get(out, "hidden_states")[-1].float(),
                        torch.stack(tuple(_get(out, "attentions")), 1).float())

        return _Wrapper()


def check_forward(model, vocab_size):
    import torch
    from plm_data import progen_encode

    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        params = {}
    has_var_kw = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
    for name, why in (("input_ids", "the contract's input_ids"), ("attention_mask", "right padding"),
                      ("output_hidden_states", "hidden_states"), ("output_attentions", "attentions")):
        if name not in params and not (has_var_kw and name.startswith("output_")):
            raise X.UserError(f"the model's forward lacks the argument {name!r} of the Hugging Face causal-LM "
                              f"forward(input_ids, attention_mask, output_hidden_states, output_attentions); {why} need(s) it")
    ids = torch.tensor([progen_encode(X.PROBE_SEQUENCES[0])])
    L = ids.shape[1]
    with torch.no_grad():
        try:
            out = model(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True,
                        output_attentions=True, return_dict=True)
        except Exception as e:  # noqa: BLE001
            raise X.UserError(f"the model's forward failed on a probe sequence: {type(e).__name__}: {e}")
    lg = _get(out, "logits")
    if lg is None:
        raise X.UserError("the model's forward returned no .logits")
    if lg.ndim != 3 or lg.shape[:2] != (1, L) or lg.shape[2] < vocab_size:
        raise X.UserError(f"logits have shape {tuple(lg.shape)}, expected (1, {L}, >= {vocab_size}) for the progen2 vocabulary")
    hs = _get(out, "hidden_states")
    if not hs or hs[-1].ndim != 3 or hs[-1].shape[:2] != (1, L):
        raise X.UserError("the model's forward returned no .hidden_states with output_hidden_states=True")
    at = _get(out, "attentions")
    if not at or at[0].ndim != 4 or at[0].shape[0] != 1 or tuple(at[0].shape[2:]) != (L, L):
        raise X.UserError("the model's forward returned no .attentions [batch, heads, L, L] with output_attentions=True")
    return {"layers": len(at), "heads": int(at[0].shape[1]), "dim": int(hs[-1].shape[2]), "vocab": int(lg.shape[2])}


def count_for_card(model, vocab):
    from plm_models import ProGenForCausalLM, count_params
    import torch

    if isinstance(model, ProGenForCausalLM):
        return count_params(model)
    seen, total, emb = set(), 0, 0
    for m in model.modules():
        for p in m.parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            total += p.numel()
            if isinstance(m, torch.nn.Embedding) or (isinstance(m, torch.nn.Linear) and m.out_features == vocab):
                emb += p.numel()
    return total - emb, total


def main(argv=None):
    p = X.base_parser(__doc__.split("\n\n")[0])
    args = p.parse_args(argv)
    try:
        import torch
        from plm_data import progen_encode

        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        if args.print_probes:
            X.print_probes(progen_encode)
            return 0
        model, meta = X.load_model(args, load_checkpoint)
        dims = check_forward(model, 32)
        available = ["logits", "hidden_states", "attentions"]
        names, io = X.parse_output_names(args.output_name, available)
        nonemb, total = count_for_card(model, dims["vocab"])
        ck_hash = X.sha256_file(args.checkpoint)[:16] if os.path.isfile(args.checkpoint) else "folder"
        source = f"models/export/export_causal.py @ {X.git_commit()} from {os.path.basename(os.path.normpath(args.checkpoint))}"
        source += f" (sha256 {ck_hash}...)" if ck_hash != "folder" else ""
        if meta["kind"] == "plmbench" and "args" in meta["training"]:  # trained by train.py (not a random control)
            source = f"models/train/train.py --objective clm, seed {meta['training']['args']['seed']}; " + source
        card = X.build_card(args, meta, objective="clm", vocab="progen2", params=nonemb, params_total=total,
                            io=io, source=source)

        wrapper = CausalContract(model).eval()
        singles = [torch.tensor([progen_encode(s)]) for s in X.PROBE_SEQUENCES]
        reference = X.load_reference(args, singles, dims["vocab"])
        batch, mask = X.pad_batch(singles, PAD)
        dyn = {"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"},
               names[0]: {0: "batch", 1: "length"}, names[1]: {0: "batch", 1: "length"},
               names[2]: {0: "batch", 3: "length", 4: "length"}}
        X.onnx_export(wrapper, (batch, mask), args.out, ["input_ids", "attention_mask"], names, dyn)
        card_path = X.save_card(args.out, card, {names[0]: {2: dims["vocab"]}, names[1]: {2: dims["dim"]},
                                                 names[2]: {1: dims["layers"], 2: dims["heads"]}})

        expected, pad_diff, worst = X.check_padding_and_parity(
            PROG, args.out, wrapper, [{"input_ids": t, "attention_mask": torch.ones_like(t)} for t in singles],
            {"input_ids": batch, "attention_mask": mask}, names, not args.no_verify)
        if reference is not None:
            reference["maxAbsDiff"] = X.reference_check(
                PROG, args.out, [{"input_ids": t, "attention_mask": torch.ones_like(t)} for t in singles], reference,
                names[0], args.reference_tolerance)
        if args.golden:
            X.write_probe_golden(args.golden, card, singles, expected, names[0])
        fp16 = X.fp16_variant(PROG, args.out, [{"input_ids": t, "attention_mask": torch.ones_like(t)} for t in singles],
                              {"input_ids": batch, "attention_mask": mask}, expected, not args.no_verify) if args.fp16 else None
        report = {"onnx": args.out, "bytes": X.export_bytes(args.out), "card": card_path, "outputs": names,
                  "params": nonemb, "paramsTotal": total, **dims, "paddingMaxAbsDiff": pad_diff,
                  "parityMaxAbsDiff": worst,
                  **({"referenceMaxAbsDiff": reference["maxAbsDiff"]} if reference is not None else {}),
                  **({"fp16": fp16} if fp16 is not None else {})}
        print(json.dumps(report))
        return 0
    except X.UserError as e:
        X.fail(PROG, str(e))


if __name__ == "__main__":
    sys.exit(main())
