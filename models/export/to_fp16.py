"""Converts a float32 ONNX export to float16 (weights, constants, computation and outputs).

    /usr/bin/python3 models/export/to_fp16.py IN.onnx [--out OUT.onnx] [--id ID] [--no-verify]

Writes OUT.onnx (default: IN with `.fp16.onnx`) and its sidecar card OUT.card.json (also stored in the
ONNX metadata as `plmbench.card`), then runs IN and OUT with onnxruntime-node (CPU) on three real
sequences and prints a JSON report with the largest |fp16 - fp32| per output (stdout).

What changes to float16: float initializers; Constant (`value`, `value_float(s)`) and ConstantOfShape
tensors; the `to` of Cast and the `dtype` of the ops that create tensors, when float32; float value_infos,
graph inputs and graph outputs; the same inside subgraphs. Integer inputs (`input_ids`,
`attention_mask`, int64) are untouched. Finite values outside float16's range (|x| > 65504) are clamped
to +-65504: exporters write large negative constants for masked attention scores (-1e9 and -1e4 in
the GPT-J / ProGen2 graph); -65504 still gives those scores a softmax weight of exactly 0, and the count
of clamped values is reported. Infinities stay infinite (float16 has them). Nonzero values below
float16's smallest subnormal (5.96e-8) become 0; their count is reported too.

The card is the source card (sidecar first, then the ONNX metadata) with the same parameters and
training compute (the weights are the same parameters, rounded); only `id` (default: the source id +
`-fp16`) and `source` (the conversion, with the source file's sha256) change.

User errors print one line `to_fp16: <message>` and exit 2; a failed parity check exits 1.
Needs the `onnx` and `numpy` Python packages (Debian: python3-onnx python3-numpy) and, for the check,
node with node_modules/onnxruntime-node (npm ci).
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PROG = "to_fp16"
FP16_MAX = 65504.0  # largest finite IEEE 754 binary16 value, (2 - 2**-10) * 2**15
FP16_MIN_SUBNORMAL = 2.0 ** -24  # smallest positive binary16 value; half of it rounds to 0
# Largest |fp16 - fp32| accepted by the check on the probes, relative to max(1, largest |fp32 value|)
# of each output. Measured on the example models' probes (models/README.md, "Float16 variants"): logits
# 1.3e-2 of 20.6 (mlm) and 1.0e-2 of 18.1 (clm), hidden states 3.1e-3 of 3.8 and 4.7e-3 of 6.5,
# attentions 1.8e-3 and 4.5e-3 (of 1): at most 4.5e-3 of the scale, so 1e-2 leaves a margin of 2.2x.
# float16 has an 11-bit significand (relative rounding 4.9e-4 per value); a conversion error (a
# constant or a weight in the wrong type or range) moves outputs by far more (test_to_fp16.py: 0.5).
FP16_PARITY_TOLERANCE = 1e-2


class UserError(Exception):
    pass


def _onnx():
    try:
        import numpy  # noqa: F401
        import onnx
    except ImportError as e:
        raise UserError(f"needs the onnx and numpy Python packages ({e}); Debian: apt-get install python3-onnx python3-numpy")
    return onnx


def _to_fp16_array(arr, stats, where):
    import numpy as np

    a = np.asarray(arr, dtype=np.float64)
    finite = np.isfinite(a)
    over = finite & (np.abs(a) > FP16_MAX)
    n_over = int(over.sum())
    if n_over:
        stats["clamped"] += n_over
        stats["clampedWhere"].append(f"{where} ({n_over} value(s), e.g. {float(a[over].ravel()[0]):g})")
        a = np.where(over, np.sign(a) * FP16_MAX, a)
    tiny = finite & (a != 0) & (np.abs(a) < FP16_MIN_SUBNORMAL / 2)
    stats["flushedToZero"] += int(tiny.sum())
    return a.astype(np.float16)


def convert_model(model, stats=None):
    """Converts an onnx.ModelProto in place to float16 and returns the statistics of the conversion."""
    onnx = _onnx()
    from onnx import numpy_helper

    FLOAT, FLOAT16 = onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16
    stats = stats if stats is not None else {"initializers": 0, "constants": 0, "casts": 0, "dtypes": 0, "valueInfos": 0,
                                             "clamped": 0, "clampedWhere": [], "flushedToZero": 0}

    def tensor16(t, where):
        if t.data_type != FLOAT:
            return None
        return numpy_helper.from_array(_to_fp16_array(numpy_helper.to_array(t), stats, where), t.name)

    def value_info16(vi):
        tt = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
        if tt is not None and tt.elem_type == FLOAT:
            tt.elem_type = FLOAT16
            stats["valueInfos"] += 1

    def graph16(g):
        for i, t in enumerate(g.initializer):
            new = tensor16(t, f"initializer {t.name}")
            if new is not None:
                g.initializer[i].CopyFrom(new)
                stats["initializers"] += 1
        for vi in list(g.input) + list(g.output) + list(g.value_info):
            value_info16(vi)
        for node in g.node:
            for attr in list(node.attribute):
                if attr.type == onnx.AttributeProto.GRAPH:
                    graph16(attr.g)
                elif attr.type == onnx.AttributeProto.GRAPHS:
                    for sub in attr.graphs:
                        graph16(sub)
            if node.op_type in ("Constant", "ConstantOfShape"):
                for attr in list(node.attribute):
                    where = f"{node.op_type} {node.output[0] if node.output else node.name}"
                    if attr.type == onnx.AttributeProto.TENSOR:
                        new = tensor16(attr.t, where)
                        if new is not None:
                            attr.t.CopyFrom(new)
                            stats["constants"] += 1
                    elif attr.name in ("value_float", "value_floats"):
                        # A float attribute has no float16 form: becomes a float16 `value` tensor.
                        import numpy as np

                        vals = [attr.f] if attr.name == "value_float" else list(attr.floats)
                        arr = np.array(vals[0] if attr.name == "value_float" else vals, dtype=np.float64)
                        node.attribute.remove(attr)
                        node.attribute.append(onnx.helper.make_attribute(
                            "value", numpy_helper.from_array(_to_fp16_array(arr, stats, where))))
                        stats["constants"] += 1
            elif node.op_type == "Cast":
                for attr in node.attribute:
                    if attr.name == "to" and attr.i == FLOAT:
                        attr.i = FLOAT16
                        stats["casts"] += 1
            else:
                # Ops that create float tensors from a dtype attribute (EyeLike, RandomNormal(Like),
                # RandomUniform(Like), Bernoulli, Multinomial...).
                for attr in node.attribute:
                    if attr.name == "dtype" and attr.type == onnx.AttributeProto.INT and attr.i == FLOAT:
                        attr.i = FLOAT16
                        stats["dtypes"] += 1
        return stats

    return graph16(model.graph)


def source_card(path, model):
    side = os.path.splitext(path)[0] + ".card.json"
    if os.path.exists(side):
        with open(side) as f:
            return json.load(f), side
    for p in model.metadata_props:
        if p.key == "plmbench.card":
            return json.loads(p.value), "ONNX metadata plmbench.card"
    return None, None


def fp16_card(card, src_path, src_sha, new_id):
    out = dict(card)
    out["id"] = new_id or f"{card['id']}-fp16"
    out["source"] = (f"{card.get('source', '')}; converted to float16 by models/export/to_fp16.py from "
                     f"{os.path.basename(src_path)} (sha256 {src_sha[:16]}...)").lstrip("; ")
    return out


def default_out(path):
    return path[: -len(".onnx")] + ".fp16.onnx"


def convert_file(src, out, new_id=None):
    """Converts src to out and writes out's card; returns (card or None, card path or None, stats)."""
    onnx = _onnx()
    import plm_export as X

    if not src.endswith(".onnx") or not os.path.isfile(src):
        raise UserError(f"{src}: not an .onnx file")
    if not out.endswith(".onnx"):
        raise UserError(f"--out: must end in .onnx, got {out!r}")
    if os.path.abspath(out) == os.path.abspath(src):
        raise UserError("--out: would overwrite the source model")
    # The card schema's id pattern and length (results/schema/card.schema.json)
    if new_id is not None and not (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", new_id) and len(new_id) <= 128):
        raise UserError(f"--id: {new_id!r} is not a card id (letters, digits, . _ + -; at most 128 characters)")
    try:
        model = onnx.load(src)
    except Exception as e:  # noqa: BLE001
        raise UserError(f"{src}: not an ONNX model ({str(e).splitlines()[0] if str(e) else type(e).__name__})")
    float_outputs = [o.name for o in model.graph.output if o.type.tensor_type.elem_type == onnx.TensorProto.FLOAT]
    if not float_outputs:
        raise UserError(f"{src}: no float32 output; is it already float16?")
    card, _ = source_card(src, model)
    stats = convert_model(model)
    # Type errors (an op left with one float32 and one float16 input) show here, not at load time.
    try:
        onnx.checker.check_model(model)
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as e:  # noqa: BLE001
        raise UserError(f"the float16 graph does not check: {str(e).splitlines()[0]}")
    new_card = None
    card_path = None
    if card is not None:
        # Only id and source change (id checked above); the harness validates the whole card against
        # results/schema/card.schema.json when it loads the model.
        new_card = fp16_card(card, src, X.sha256_file(src), new_id)
        del model.metadata_props[:]
        entry = model.metadata_props.add()
        entry.key = "plmbench.card"
        entry.value = json.dumps(new_card, separators=(",", ":"))
    model.producer_name = "plmbench models/export/to_fp16.py"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    big = model.ByteSize() > 2_000_000_000
    onnx.save_model(model, out, save_as_external_data=big, all_tensors_to_one_file=True,
                    location=os.path.basename(out) + ".data", size_threshold=1024)
    if new_card is not None:
        card_path = os.path.splitext(out)[0] + ".card.json"
        with open(card_path, "w") as f:
            json.dump(new_card, f, indent=1)
            f.write("\n")
    return new_card, card_path, stats


def discard(out):
    """Removes a written variant: the .onnx, its external data and its sidecar card."""
    for path in (out, out + ".data", os.path.splitext(out)[0] + ".card.json"):
        if os.path.exists(path):
            os.remove(path)


def probe_feeds(model_path):
    """Int64 feeds for the three probe sequences (plm_export.PROBE_SEQUENCES), alone and as one
    right-padded batch, tokenised by the card's vocabulary (esm or progen2)."""
    import numpy as np
    import plm_export as X

    onnx = _onnx()
    m = onnx.load(model_path, load_external_data=False)
    inputs = [i.name for i in m.graph.input]
    card, _ = source_card(model_path, m)
    vocab = (card or {}).get("vocab", "esm")
    sys.path.insert(0, os.path.join(HERE, "..", "train"))
    from plm_data import esm_encode, progen_encode

    ids = esm_encode if vocab == "esm" else progen_encode
    pad = 1 if vocab == "esm" else 0  # <pad> of each vocabulary (plm_data.ESM_TOKENS, PROGEN_TOKENS)
    singles = [np.array([list(ids(s))], dtype=np.int64) for s in X.PROBE_SEQUENCES]
    n = max(t.shape[1] for t in singles)
    batch = np.full((len(singles), n), pad, dtype=np.int64)
    mask = np.zeros_like(batch)
    for i, t in enumerate(singles):
        batch[i, : t.shape[1]] = t[0]
        mask[i, : t.shape[1]] = 1
    feeds = [{"input_ids": t, "attention_mask": np.ones_like(t)} for t in singles]
    feeds.append({"input_ids": batch, "attention_mask": mask})
    return [{k: v for k, v in f.items() if k in inputs} for f in feeds]


def parity_fp16(prog, fp32_path, fp16_path, expected=None, feeds=None, tolerance=FP16_PARITY_TOLERANCE, quiet=False):
    """Largest |fp16 - reference| per output (reference: `expected`, e.g. PyTorch's outputs, else the
    fp32 file run by onnxruntime-node), the tolerance applied to each relative to max(1, largest
    |reference value|). Exit 1 when one exceeds it. None when node/onnxruntime-node is absent."""
    import numpy as np
    import plm_export as X

    if feeds is None:
        feeds = probe_feeds(fp32_path)
    onnx = _onnx()
    names = [o.name for o in onnx.load(fp16_path, load_external_data=False).graph.output]
    if expected is None:
        expected = X.ort_outputs(prog, fp32_path, feeds, names, quiet)
        if expected is None:
            return None
    worst = X.ort_max_diff(prog, fp16_path, feeds, expected, names, quiet)
    if worst is None:
        return None
    scale = {n: max(1.0, max(float(np.max(np.abs(e[n]))) for e in expected)) for n in names}
    report = {n: {"maxAbsDiff": worst[n], "scale": scale[n], "relative": worst[n] / scale[n]} for n in names}
    bad = {n: r for n, r in report.items() if not (r["relative"] <= tolerance)}
    if bad:
        detail = ", ".join(f"{n} {r['maxAbsDiff']:.3g} (scale {r['scale']:.3g})" for n, r in bad.items())
        # A variant that failed its check must not stay under the name a run would load.
        discard(fp16_path)
        X.fail(prog, f"float16 parity check failed: max |fp16 - fp32| {detail} exceeds {tolerance:g} of the scale", code=1)
    return report


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="float32 .onnx file")
    p.add_argument("--out", help="output .onnx (default: <model stem>.fp16.onnx)")
    p.add_argument("--id", help="card id of the new model (default: the source id + '-fp16')")
    p.add_argument("--no-verify", action="store_true", help="skip the onnxruntime-node check against the fp32 file")
    args = p.parse_args(argv)
    try:
        out = args.out or (default_out(args.model) if args.model.endswith(".onnx") else None)
        if out is None:
            raise UserError(f"{args.model}: not an .onnx file")
        card, card_path, stats = convert_file(args.model, out, args.id)
        if stats["clamped"]:
            print(f"{PROG}: clamped {stats['clamped']} value(s) beyond float16's range to +-{FP16_MAX:g}: "
                  + "; ".join(stats["clampedWhere"][:6]) + (" ..." if len(stats["clampedWhere"]) > 6 else ""),
                  file=sys.stderr)
        parity = None if args.no_verify else parity_fp16(PROG, args.model, out)
        print(json.dumps({"onnx": out, "bytes": os.path.getsize(out), "card": card_path,
                          "id": card["id"] if card else None, "conversion": stats, "parityVsFp32": parity,
                          "tolerance": FP16_PARITY_TOLERANCE}, indent=1))
        return 0
    except UserError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
