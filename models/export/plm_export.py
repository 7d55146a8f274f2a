"""Shared parts of export_esm.py and export_causal.py: command-line checks, the model card, ONNX
writing, and the parity check through onnxruntime-node.

User errors (bad checkpoint, missing token count, output name clash, ...) print one line
`<script>: <message>` on stderr and exit with code 2; a failed parity check exits with code 1.
"""
import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "models", "train"))

OPSET = 17
PARITY_TOLERANCE = 1e-4
# Against the user's own PyTorch model the export may differ by kernel order (fused attention, another
# library's layer norm): float32 noise on logits of magnitude ~10-30 stays well below 1e-3, a wrong weight
# or layout does not (the repacked ProGen2 differed by 3.6).
REFERENCE_TOLERANCE = 1e-3
CARD_KEYS = ("id", "family", "objective", "vocab", "maxLength", "params", "paramsTotal", "trainTokens", "trainFlops",
             "io", "source", "license", "training")
CARD_REQUIRED = ("id", "family", "objective", "vocab", "maxLength", "params", "paramsTotal", "trainTokens", "source",
                 "license")
CONTRACT_OUTPUTS = ("logits", "hidden_states", "attentions", "contacts")
# Real sequences used to probe each export (UniProt, from the validation split of models/train/SPLIT.md;
# also the sequences of the golden logits in test/golden/export/).
PROBE_NAMES = ["P0C5R4", "P0CX33", "O32583"]
PROBE_SEQUENCES = [
    "MRSHFDTEYLGDLARKFKCTISWNYDIRFIVQYKVQRVILITHLNV",
    "MAKVHGSLARAGKVKSQTPKVEKTEKPKKPKGRAYKRLLYTRRFVNVTLVNGKRRMNPGPSVQ",
    "MQILFNDQAMQCAAGQTVHELLEQLDQRQAGAALAINQQIVPREQWAQHIVQDGDQILLFQVIAGG",
]


class UserError(Exception):
    pass


def fail(prog, message, code=2):
    print(f"{prog}: {message}", file=sys.stderr)
    sys.exit(code)


def parse_token_count(text):
    """'1e12', '1000000000000', '1_000_000' or '500000x2000000' (updates x tokens per update) -> int."""
    if text is None:
        raise UserError("--train-tokens is required: the number of tokens the model saw in training "
                        "(e.g. 1e12 for ESM-2; see models/README.md)")
    t = text.strip().replace("_", "").replace(",", "")
    try:
        if "x" in t.lower():
            a, b = re.split("[xX]", t, maxsplit=1)
            value = float(a) * float(b)
        else:
            value = float(t)
    except ValueError:
        raise UserError(f"--train-tokens: must be a positive number of tokens like 1e12 or 500000x2000000, got {text!r}")
    if not math.isfinite(value) or value < 1 or abs(value - round(value)) > 1e-6 * value:
        raise UserError(f"--train-tokens: must be a positive whole number of tokens, got {text!r}")
    return int(round(value))


def parse_output_names(pairs, available):
    """--output-name CONTRACT=GRAPH (repeatable) -> (names in output order, io map for the card)."""
    names = {k: k for k in available}
    for pair in pairs or []:
        if "=" not in pair:
            raise UserError(f"--output-name: expected CONTRACT=GRAPH_NAME, got {pair!r}")
        contract, graph = (s.strip() for s in pair.split("=", 1))
        if contract not in CONTRACT_OUTPUTS:
            raise UserError(f"--output-name: {contract!r} is not a contract output ({', '.join(CONTRACT_OUTPUTS)})")
        if contract not in available:
            raise UserError(f"--output-name: this export has no {contract!r} output")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:/-]*", graph):
            raise UserError(f"--output-name: {graph!r} is not a usable graph name")
        names[contract] = graph
    seen = {}
    for contract in available:
        g = names[contract]
        if g in ("input_ids", "attention_mask"):
            raise UserError(f"output name clash: {contract} would be named {g!r}, which is an input name")
        if g in seen:
            raise UserError(f"output name clash: {seen[g]} and {contract} would both be named {g!r}")
        if g in CONTRACT_OUTPUTS and g != contract and g in available:
            raise UserError(f"output name clash: {contract} would be named {g!r}, the default name of another output")
        seen[g] = contract
    io = {c: names[c] for c in available if names[c] != c}
    return [names[c] for c in available], io


def sha256_file(path, limit=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def git_commit():
    """Short commit of the repository; '+modified' when the training or export code differs from it."""
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "models/export", "models/train"],
                               capture_output=True, text=True, check=True).stdout
        return head + ("+modified" if any(not line.startswith("??") for line in dirty.splitlines()) else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def validate_card(card):
    """The card's shape as the harness validates it (results/schema/card.schema.json); raises UserError on a bad field."""
    extra = set(card) - set(CARD_KEYS)
    if extra:
        raise UserError(f"card: unknown keys {sorted(extra)}")
    for k in CARD_REQUIRED:
        if k not in card:
            raise UserError(f"card: missing {k}")
    if card["objective"] not in ("mlm", "clm"):
        raise UserError(f"card: objective must be mlm or clm, got {card['objective']!r}")
    if card["vocab"] not in ("esm", "progen2"):
        raise UserError(f"card: vocab must be esm or progen2, got {card['vocab']!r}")
    for k in ("maxLength", "params", "paramsTotal", "trainTokens"):
        if not isinstance(card[k], int) or card[k] <= 0:
            raise UserError(f"card: {k} must be a positive integer, got {card[k]!r}")
    if card["params"] > card["paramsTotal"]:
        raise UserError("card: params (non-embedding) exceeds paramsTotal")
    if "io" in card and (not isinstance(card["io"], dict) or not card["io"]):
        raise UserError("card: io must be a non-empty map (omit it for the default names)")
    return card


def write_metadata(onnx_path, card, static_dims=None):
    """Stores the card as metadata_props['plmbench.card'] (external data, if any, is left in place) and
    writes the fixed sizes the tracer left symbolic (static_dims: {output: {axis: size}})."""
    import onnx

    model = onnx.load(onnx_path, load_external_data=False)
    for out in model.graph.output:
        for axis, size in (static_dims or {}).get(out.name, {}).items():
            dim = out.type.tensor_type.shape.dim[axis]
            dim.Clear()
            dim.dim_value = int(size)
    del model.metadata_props[:]
    entry = model.metadata_props.add()
    entry.key = "plmbench.card"
    entry.value = json.dumps(card, separators=(",", ":"))
    model.producer_name = "plmbench models/export"
    onnx.save(model, onnx_path)


def onnx_export(module, args, path, input_names, output_names, dynamic_axes):
    """torch.onnx.export at opset 17. Constant folding stays off so that the initializers are exactly the
    model's parameters under their checkpoint names (onnxruntime folds constants when it loads the model).
    Models over 2 GB are written with external data beside the .onnx file."""
    import torch

    final = os.path.abspath(path)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    data_name = os.path.basename(final) + ".data"
    if os.path.exists(final + ".data"):
        os.remove(final + ".data")
    with tempfile.TemporaryDirectory(prefix=".export-", dir=os.path.dirname(final)) as tmp:
        tmp_path = os.path.join(tmp, os.path.basename(final))
        with torch.no_grad():
            torch.onnx.export(module, args, tmp_path, input_names=list(input_names),
                              output_names=list(output_names), dynamic_axes=dynamic_axes, opset_version=OPSET,
                              do_constant_folding=False, export_params=True)
        if len(os.listdir(tmp)) > 1:
            # torch writes one external file per tensor past 2 GB: gather them into <name>.onnx.data
            import onnx

            model = onnx.load(tmp_path)
            onnx.save_model(model, final, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=data_name, size_threshold=1024)
        else:
            os.replace(tmp_path, final)


def export_bytes(path):
    """Size of the .onnx file plus its external data file, if any."""
    extra = path + ".data"
    return os.path.getsize(path) + (os.path.getsize(extra) if os.path.exists(extra) else 0)


def find_node():
    node = shutil.which("node")
    ort = os.path.join(REPO, "node_modules", "onnxruntime-node")
    return node if node and os.path.isdir(ort) else None


def ort_parity(prog, onnx_path, feeds_list, torch_outputs, output_names, tolerance=PARITY_TOLERANCE, quiet=False):
    """Runs the ONNX file with onnxruntime-node on each feed and compares every output with PyTorch's.

    feeds_list: list of {input name: int64 numpy array}; torch_outputs: list of {graph output name: float array}.
    Returns the largest absolute difference per output name, or None when node/onnxruntime-node is absent."""
    worst = ort_max_diff(prog, onnx_path, feeds_list, torch_outputs, output_names, quiet)
    if worst is None:
        return None
    bad = {k: v for k, v in worst.items() if not (v <= tolerance)}
    if bad:
        fail(prog, f"parity check failed: max |onnxruntime - torch| {bad} exceeds {tolerance}", code=1)
    return worst


def ort_max_diff(prog, onnx_path, feeds_list, torch_outputs, output_names, quiet=False):
    """The largest |onnxruntime-node - expected| per output over the feeds, or None without node."""
    result = _run_ort(onnx_path, feeds_list, torch_outputs, output_names, quiet, prog)
    return None if result is None else result[0]


def ort_outputs(prog, onnx_path, feeds_list, output_names, quiet=False):
    """onnxruntime-node's outputs (float32 numpy, float16 widened) per feed, or None without node."""
    result = _run_ort(onnx_path, feeds_list, None, output_names, quiet, prog)
    return None if result is None else result[1]


def _run_ort(onnx_path, feeds_list, expected_list, output_names, quiet, prog):
    import numpy as np

    node = find_node()
    if node is None:
        if not quiet:
            print(f"{prog}: parity check skipped (node or node_modules/onnxruntime-node not found; run npm ci)",
                  file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="plmbench-parity-") as tmp:
        cases = []
        for i, feeds in enumerate(feeds_list):
            case = {"feeds": {}, "expected": {}}
            for name, arr in feeds.items():
                f = os.path.join(tmp, f"in{i}_{name}.bin")
                np.ascontiguousarray(arr, dtype=np.int64).tofile(f)
                case["feeds"][name] = {"file": f, "dims": list(arr.shape)}
            for name, arr in (expected_list[i] if expected_list is not None else {}).items():
                f = os.path.join(tmp, f"exp{i}_{name}.bin")
                np.ascontiguousarray(arr, dtype=np.float32).tofile(f)
                case["expected"][name] = {"file": f, "dims": list(arr.shape)}
            cases.append(case)
        spec = os.path.join(tmp, "spec.json")
        dump = os.path.join(tmp, "dump") if expected_list is None else None
        if dump:
            os.mkdir(dump)
        with open(spec, "w") as f:
            json.dump({"model": os.path.abspath(onnx_path), "cases": cases, "outputs": list(output_names),
                       **({"dump": dump} if dump else {})}, f)
        proc = subprocess.run([node, os.path.join(HERE, "ort_check.mjs"), spec], capture_output=True, text=True,
                              cwd=REPO)
        if proc.returncode != 0:
            raise UserError(f"onnxruntime-node could not run the export: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        result = json.loads(proc.stdout)
        outputs = None
        if dump:
            outputs = [{n: np.fromfile(os.path.join(dump, f"out{i}_{n}.bin"), dtype=np.float32).reshape(d[n])
                        for n in output_names} for i, d in enumerate(result["dims"])]
    return result["maxAbsDiff"], outputs


def base_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("checkpoint", help="checkpoint file or folder (see --help text above)")
    p.add_argument("--out", help="output .onnx path (required); the card goes beside it as <stem>.card.json")
    p.add_argument("--train-tokens", help="tokens seen in training (required unless the checkpoint records it), "
                                          "e.g. 1e12 or 500000x2000000")
    p.add_argument("--id", help="model id for the card (default: the output file's stem)")
    p.add_argument("--family", help="model family for the card")
    p.add_argument("--license", help="license of the weights for the card")
    p.add_argument("--source", help="where the weights come from (text added to the card's source)")
    p.add_argument("--max-length", type=int, help="maximum tokens per input, special tokens included")
    p.add_argument("--output-name", action="append", metavar="CONTRACT=NAME",
                   help="rename a graph output (recorded in the card's io map); repeatable")
    p.add_argument("--factory", metavar="FILE.py:FUNCTION",
                   help="build the model by calling FUNCTION(checkpoint) from FILE.py instead of the built-in loaders")
    p.add_argument("--no-verify", action="store_true", help="skip the onnxruntime-node parity check")
    p.add_argument("--fp16", action="store_true",
                   help="also write the float16 variant <stem>.fp16.onnx with its card (models/export/to_fp16.py) and "
                        "check it against PyTorch with the float16 tolerance")
    p.add_argument("--golden", metavar="FILE.json", help="also write the probe logits (PyTorch) to this file")
    p.add_argument("--reference-logits", metavar="FILE.npy",
                   help="your own model's logits on the probe sequences (--print-probes): .npy [3, max length, vocab] "
                        "right-padded (padding rows ignored) or .npz with one [length, vocab] array per probe name; "
                        "the export's onnxruntime-node logits must match them")
    p.add_argument("--reference-module", metavar="FILE.py:FUNCTION",
                   help="FUNCTION(checkpoint) returns your own model as a callable: int64 ids [1, L] -> logits [1, L, vocab] "
                        "(a tensor, or a dict/tuple whose 'logits'/first entry is one); run on the probe sequences and "
                        "compared with the export like --reference-logits")
    p.add_argument("--reference-tolerance", type=float, default=REFERENCE_TOLERANCE,
                   help=f"largest |export - reference| logit difference accepted (default {REFERENCE_TOLERANCE})")
    p.add_argument("--print-probes", action="store_true",
                   help="print the probe sequences and their token ids as JSON (what --reference-logits holds) and exit")
    return p


def load_factory(spec, checkpoint):
    import importlib.util

    if ":" not in spec:
        raise UserError(f"--factory: expected FILE.py:FUNCTION, got {spec!r}")
    file, func = spec.rsplit(":", 1)
    if not os.path.exists(file):
        raise UserError(f"--factory: no such file {file}")
    mod_spec = importlib.util.spec_from_file_location("plmbench_factory", file)
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    if not hasattr(mod, func):
        raise UserError(f"--factory: {file} has no function {func}")
    return getattr(mod, func)(checkpoint)


def round_sig(x, digits=7):
    if x == 0 or not math.isfinite(x):
        return float(x)
    return float(f"{x:.{digits - 1}e}")


def write_golden(path, card, entries):
    """entries: list of {name, sequence, input_ids, logits (L x V numpy)}; values to 7 significant digits."""
    out = {"model": card["id"], "vocab": card["vocab"], "objective": card["objective"], "sequences": []}
    for e in entries:
        out["sequences"].append({
            "name": e["name"], "sequence": e["sequence"], "input_ids": [int(i) for i in e["input_ids"]],
            "logits": [[round_sig(float(v)) for v in row] for row in e["logits"]],
        })
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


FACTORY_META = {"family": None, "license": None, "maxLength": None, "trainTokens": None, "training": None,
                "kind": "factory"}


def load_model(args, load_checkpoint, *checkpoint_args):
    """Checks --out, then returns (module in eval mode, checkpoint metadata): from --factory, else from
    the script's own checkpoint reader load_checkpoint(args.checkpoint, *checkpoint_args)."""
    import torch

    if not args.out:
        raise UserError("--out is required: the .onnx file to write")
    if not args.out.endswith(".onnx"):
        raise UserError(f"--out: must end in .onnx, got {args.out!r}")
    if not args.factory:
        return load_checkpoint(args.checkpoint, *checkpoint_args)
    model = load_factory(args.factory, args.checkpoint)
    if not isinstance(model, torch.nn.Module):
        raise UserError("--factory must return a torch.nn.Module")
    return model.float().eval(), dict(FACTORY_META)


CARD_FLAGS = (("--family", "family", "family", "the model family, e.g. esm2 or mine"),
              ("--license", "license", "license", "the license of the weights"),
              ("--max-length", "max_length", "maxLength", "maximum tokens per input, special tokens included"),
              ("--train-tokens", "train_tokens", "trainTokens", "tokens seen in training, e.g. 1e12"))


def require_card_flags(args, meta):
    """Every card field that neither the flags nor the checkpoint give, named in one message."""
    missing = [f"{flag} ({why})" for flag, attr, key, why in CARD_FLAGS
               if getattr(args, attr) is None and not meta.get(key)]
    if missing:
        raise UserError(f"the checkpoint does not record {len(missing)} card field(s); give "
                        + "; ".join(missing) + " (see models/README.md)")


def build_card(args, meta, *, objective, vocab, params, params_total, io, source):
    """The model card, flags over the checkpoint's metadata; --family, --license and --max-length are
    required when the checkpoint does not record them (--factory models). Validated."""
    require_card_flags(args, meta)
    train_tokens = parse_token_count(args.train_tokens) if args.train_tokens or not meta["trainTokens"] \
        else int(meta["trainTokens"])
    family = args.family or meta["family"]
    license_ = args.license or meta["license"]
    max_length = args.max_length or meta["maxLength"]
    if args.source:
        source = f"{args.source}; {source}"
    card = {"id": args.id or os.path.splitext(os.path.basename(args.out))[0], "family": family,
            "objective": objective, "vocab": vocab, "maxLength": int(max_length), "params": int(params),
            "paramsTotal": int(params_total), "trainTokens": train_tokens}
    if io:
        card["io"] = io
    card["source"] = source
    card["license"] = license_
    if meta["training"]:
        card["training"] = meta["training"]
    validate_card(card)
    return card


def save_card(onnx_path, card, static_dims):
    """The card into the ONNX metadata (with the static sizes) and beside it as <stem>.card.json."""
    write_metadata(onnx_path, card, static_dims)
    card_path = os.path.splitext(onnx_path)[0] + ".card.json"
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    return card_path


def pad_batch(singles, pad):
    """[1, L_i] id tensors -> right-padded [n, max L] ids and the matching 0/1 attention mask."""
    import torch

    batch = torch.full((len(singles), max(t.shape[1] for t in singles)), pad, dtype=torch.long)
    mask = torch.zeros_like(batch)
    for i, t in enumerate(singles):
        batch[i, : t.shape[1]] = t[0]
        mask[i, : t.shape[1]] = 1
    return batch, mask


def check_padding_and_parity(prog, onnx_path, wrapper, single_feeds, batch_feed, names, verify):
    """Runs PyTorch on each probe sequence alone and on the right-padded batch (feeds: input name ->
    tensor, in the wrapper's argument order). Fails (exit 1) when padding moves the real positions'
    logits; then, unless verify is false, compares onnxruntime-node with PyTorch on every feed.
    Returns (PyTorch outputs per feed as numpy, padding max |diff|, parity max |diff| or None)."""
    import torch

    feeds, expected = [], []
    with torch.no_grad():
        outs_b = wrapper(*batch_feed.values())
        pad_diff = 0.0
        for i, f in enumerate(single_feeds):
            o = wrapper(*f.values())
            feeds.append({k: v.numpy() for k, v in f.items()})
            expected.append({n: v.numpy() for n, v in zip(names, o)})
            L = f["input_ids"].shape[1]
            pad_diff = max(pad_diff, float((outs_b[0][i, :L] - o[0][0]).abs().max()))
        feeds.append({k: v.numpy() for k, v in batch_feed.items()})
        expected.append({n: v.numpy() for n, v in zip(names, outs_b)})
    if pad_diff > PARITY_TOLERANCE:
        fail(prog, f"right padding changes the logits of real positions by {pad_diff:.2e} in PyTorch", code=1)
    worst = ort_parity(prog, onnx_path, feeds, expected, names) if verify else None
    return expected, pad_diff, worst


def fp16_variant(prog, onnx_path, single_feeds, batch_feed, expected, verify):
    """--fp16: converts the float32 export to <stem>.fp16.onnx (to_fp16.convert_file, card included) and
    compares it, run by onnxruntime-node, with PyTorch's float32 outputs on the same feeds as the float32
    check (expected: check_padding_and_parity's first result). The tolerance is to_fp16's
    FP16_PARITY_TOLERANCE, relative to each output's largest |value|: float16 rounding, not float32
    kernel order, is what separates the two. Exit 1 beyond it. Returns the report entry."""
    import to_fp16

    out = to_fp16.default_out(onnx_path)
    try:
        card, card_path, stats = to_fp16.convert_file(onnx_path, out)
    except to_fp16.UserError as e:
        raise UserError(f"--fp16: {e}")
    if stats["clamped"]:
        print(f"{prog}: --fp16: clamped {stats['clamped']} value(s) beyond float16's range to +-{to_fp16.FP16_MAX:g}: "
              + "; ".join(stats["clampedWhere"][:6]), file=sys.stderr)
    feeds = [{k: _numpy(v) for k, v in f.items()} for f in list(single_feeds) + [batch_feed]]
    parity = to_fp16.parity_fp16(prog, onnx_path, out, expected=expected, feeds=feeds) if verify else None
    return {"onnx": out, "bytes": export_bytes(out), "card": card_path, "id": card["id"] if card else None,
            "clamped": stats["clamped"], "parityVsTorch": parity, "tolerance": to_fp16.FP16_PARITY_TOLERANCE}


def _numpy(v):
    return v.numpy() if hasattr(v, "numpy") else v


def print_probes(encode):
    """--print-probes: the sequences and token ids the reference logits are computed on."""
    print(json.dumps({"probes": [{"name": n, "sequence": s, "input_ids": list(encode(s))}
                                 for n, s in zip(PROBE_NAMES, PROBE_SEQUENCES)]}, indent=1))


def load_reference(args, singles, vocab_size):
    """The user's own logits on the probes, one [L_i, vocab] float32 array per probe, from
    --reference-logits or --reference-module; None when neither is given."""
    import numpy as np

    if args.reference_logits and args.reference_module:
        raise UserError("give one of --reference-logits and --reference-module")
    lengths = [int(t.shape[1]) for t in singles]
    if args.reference_module:
        import torch

        fn = load_factory(args.reference_module, args.checkpoint)
        if not callable(fn):
            raise UserError(f"--reference-module: {args.reference_module} did not return a callable")
        out = []
        with torch.no_grad():
            for name, t in zip(PROBE_NAMES, singles):
                r = fn(t)
                if isinstance(r, dict):
                    r = r.get("logits")
                elif isinstance(r, (tuple, list)):
                    r = r[0] if r else None
                if r is None or not hasattr(r, "shape"):
                    raise UserError(f"--reference-module: the model returned no logits for probe {name}")
                out.append(np.asarray(r.detach().float().cpu().numpy() if hasattr(r, "detach") else r, dtype=np.float32))
        arrays = [a[0] if a.ndim == 3 else a for a in out]
        source = args.reference_module
    elif args.reference_logits:
        path = args.reference_logits
        if not os.path.exists(path):
            raise UserError(f"--reference-logits: no such file {path}")
        try:
            data = np.load(path, allow_pickle=False)
        except Exception as e:  # noqa: BLE001
            raise UserError(f"--reference-logits: cannot read {path} as .npy/.npz: {str(e).splitlines()[0]}")
        if isinstance(data, np.ndarray):
            if data.ndim != 3 or data.shape[0] != len(singles) or data.shape[1] < max(lengths):
                raise UserError(f"--reference-logits: {path} has shape {data.shape}; expected "
                                f"[{len(singles)}, >= {max(lengths)}, {vocab_size}] (probes in --print-probes order)")
            arrays = [data[i, :L] for i, L in enumerate(lengths)]
        else:
            absent = [n for n in PROBE_NAMES if n not in data.files]
            if absent:
                raise UserError(f"--reference-logits: {path} lacks the arrays {absent} (one per probe name)")
            arrays = [data[n] for n in PROBE_NAMES]
        source = path
    else:
        return None
    for name, a, L in zip(PROBE_NAMES, arrays, lengths):
        if tuple(a.shape) != (L, vocab_size):
            raise UserError(f"reference logits for probe {name} have shape {tuple(a.shape)}, expected ({L}, {vocab_size}) "
                            "(the probe's token ids: --print-probes)")
        if not np.all(np.isfinite(a)):
            raise UserError(f"reference logits for probe {name} are not all finite")
    return {"source": source, "arrays": [np.asarray(a, dtype=np.float32) for a in arrays]}


def reference_check(prog, onnx_path, single_feeds, reference, logits_name, tolerance):
    """Compares the export's logits (onnxruntime-node) on each probe with the user's own; exit 1 with the
    numbers when any differs by more than the tolerance. Returns {probe name: max |diff|}."""
    diffs = {}
    for name, feeds, ref in zip(PROBE_NAMES, single_feeds, reference["arrays"]):
        worst = ort_max_diff(prog, onnx_path, [{k: v.numpy() for k, v in feeds.items()}],
                             [{logits_name: ref[None]}], [logits_name])
        if worst is None:
            raise UserError("the reference check needs node and node_modules/onnxruntime-node (run npm ci)")
        diffs[name] = worst[logits_name]
    bad = {n: d for n, d in diffs.items() if not (d <= tolerance)}
    if bad:
        fail(prog, "reference check failed: the export's logits differ from your model's ("
             f"{reference['source']}) by up to {max(bad.values()):.4g} (per probe: "
             + ", ".join(f"{n} {d:.4g}" for n, d in diffs.items())
             + f"; tolerance {tolerance:g}): the export does not compute your model", code=1)
    return diffs


def write_probe_golden(path, card, singles, expected, logits_name):
    """The PyTorch logits of each probe sequence run alone (the first feeds of check_padding_and_parity)."""
    write_golden(path, card, [
        {"name": PROBE_NAMES[i], "sequence": s, "input_ids": singles[i][0].tolist(),
         "logits": expected[i][logits_name][0]} for i, s in enumerate(PROBE_SEQUENCES)])
