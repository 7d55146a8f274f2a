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


def load_checkpoint(path, regression):
    """Returns (model, meta) where meta has family, license, maxLength, trainTokens, training, source."""
    import torch
    from plm_models import ESM2, esm2_upgrade_state_dict

    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "config.json")):
            raise X.UserError(f"{path} is a Hugging Face folder; this exporter reads fair-esm .pt files "
                              "(or plmbench checkpoints); use --factory for other formats")
        raise X.UserError(f"{path} is a folder, not a checkpoint file")
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
        cfg = dict(data["config"])
        state = data["model"]
        log = data.get("train_log", {})
        meta = {"family": "plmbench-mini", "license": "MIT", "maxLength": log.get("args", {}).get("crop", 1026),
                "trainTokens": log.get("trainTokens"), "training": log, "kind": "plmbench"}
    elif "cfg" in data and "model" in data:
        mc = data["cfg"]["model"] if isinstance(data["cfg"], dict) else getattr(data["cfg"], "model", None)
        try:
            cfg = dict(num_layers=int(mc.encoder_layers), embed_dim=int(mc.encoder_embed_dim),
                       attention_heads=int(mc.encoder_attention_heads),
                       token_dropout=bool(getattr(mc, "token_dropout", True)))
        except AttributeError as e:
            raise X.UserError(f"{path}: cfg['model'] lacks {e.name if hasattr(e, 'name') else e}; not an ESM-2 checkpoint")
        state = esm2_upgrade_state_dict(data["model"])
        meta = {"family": "esm2", "license": "MIT", "maxLength": 1026, "trainTokens": None, "training": None,
                "kind": "fair-esm"}
    elif "args" in data and "model" in data:
        arch = getattr(data["args"], "arch", "?")
        raise X.UserError(f"{path} is a fair-esm '{arch}' checkpoint (ESM-1/ESM-1b/ESM-1v/MSA Transformer): "
                          "learned positions, not the ESM-2 architecture this exporter builds")
    else:
        raise X.UserError(f"{path} is not a fair-esm ESM-2 checkpoint (expected keys 'model' and 'cfg') "
                          f"nor a plmbench one; keys: {sorted(map(str, data))[:6]}")
    if meta["kind"] != "plmbench":
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
        if args.golden:
            X.write_probe_golden(args.golden, card, singles, expected, names[0])
        size = X.export_bytes(args.out)
        report = {"onnx": args.out, "bytes": size, "card": card_path, "outputs": names, "params": nonemb,
                  "paramsTotal": total, "layers": num_layers, **dims, "paddingMaxAbsDiff": pad_diff,
                  "parityMaxAbsDiff": worst}
        print(json.dumps(report))
        return 0
    except X.UserError as e:
        X.fail(PROG, str(e))


if __name__ == "__main__":
    sys.exit(main())
