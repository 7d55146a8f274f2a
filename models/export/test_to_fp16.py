"""Checks of to_fp16.py and of plm_export's --fp16 path that need no torch (Debian python3-onnx,
python3-numpy; node_modules/onnxruntime-node for the runs). Run by .ci/fp16-parity.sh:

    /usr/bin/python3 models/export/test_to_fp16.py

A small graph with what the exporters write (an embedding Gather, a padding mask cast to float and
scaled by -1e9, a Constant given as value_float, a ConstantOfShape, a weight beyond float16's range,
Softmax attentions) is converted; the checks: every float type became float16 and the int64 input did
not, the out-of-range values were clamped and counted, the masked attention weights stay exactly 0,
onnxruntime-node's float16 outputs match its float32 outputs within the tolerance, plm_export's --fp16
step passes against the right reference and exits 1 against a wrong one, and bad input exits 2.
Exit 0 when every check passed.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import plm_export as X  # noqa: E402
import to_fp16  # noqa: E402

V, D, PAD = 6, 4, 1
FAILED = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
    if not ok:
        FAILED.append(name)


def tiny_model():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(V, D)).astype(np.float32)
    big = np.array([[1e6]], dtype=np.float32)  # beyond float16's range: clamped to 65504
    nodes = [
        helper.make_node("Gather", ["emb", "input_ids"], ["x"]),
        helper.make_node("Constant", [], ["pad"], value=numpy_helper.from_array(np.array(PAD, dtype=np.int64))),
        helper.make_node("Equal", ["input_ids", "pad"], ["is_pad"]),
        helper.make_node("Cast", ["is_pad"], ["pad_f"], to=TensorProto.FLOAT),
        helper.make_node("Constant", [], ["neg"], value=numpy_helper.from_array(np.array(-1e9, dtype=np.float32))),
        helper.make_node("Mul", ["pad_f", "neg"], ["mask_bias"]),  # [B, L]
        helper.make_node("Unsqueeze", ["mask_bias", "axis1"], ["mask_b"]),  # [B, 1, L]
        helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["x", "xt"], ["scores"]),
        helper.make_node("Add", ["scores", "mask_b"], ["masked"]),
        helper.make_node("Softmax", ["masked"], ["attentions"], axis=-1),
        helper.make_node("Transpose", ["emb"], ["emb_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["x", "emb_t"], ["proj"]),
        helper.make_node("Constant", [], ["half"], value_float=0.5),
        helper.make_node("Add", ["proj", "half"], ["logits0"]),
        helper.make_node("Shape", ["logits0"], ["shape"]),
        helper.make_node("ConstantOfShape", ["shape"], ["zeros"], value=numpy_helper.from_array(np.array([0.0], dtype=np.float32))),
        helper.make_node("Add", ["logits0", "zeros"], ["logits1"]),
        helper.make_node("Mul", ["big", "scale"], ["big_scaled"]),  # 1e6 * 1e-2 = 1e4 in float32, 655.04 after the clamp
        helper.make_node("Sub", ["big_scaled", "big_scaled"], ["nil"]),
        helper.make_node("Add", ["logits1", "nil"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "length", V]),
         helper.make_tensor_value_info("attentions", TensorProto.FLOAT, ["batch", "length", "length"])],
        [numpy_helper.from_array(emb, "emb"), numpy_helper.from_array(big, "big"),
         numpy_helper.from_array(np.array([[1e-2]], dtype=np.float32), "scale"),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    with tempfile.TemporaryDirectory(prefix="plmbench-fp16-test-") as tmp:
        return run_checks(tmp)


def run_checks(tmp):
    src = os.path.join(tmp, "tiny.onnx")
    onnx.save(tiny_model(), src)
    card = {"id": "tiny", "family": "test", "objective": "mlm", "vocab": "esm", "maxLength": 16, "params": 24,
            "paramsTotal": 24, "trainTokens": 1000, "source": "test_to_fp16.py", "license": "MIT"}
    with open(os.path.join(tmp, "tiny.card.json"), "w") as f:
        json.dump(card, f)

    # conversion
    out = to_fp16.default_out(src)
    new_card, card_path, stats = to_fp16.convert_file(src, out)
    m = onnx.load(out)
    types = {o.name: o.type.tensor_type.elem_type for o in list(m.graph.output) + list(m.graph.input)}
    check("outputs float16, input_ids int64", types == {"logits": TensorProto.FLOAT16, "attentions": TensorProto.FLOAT16,
                                                         "input_ids": TensorProto.INT64}, str(types))
    inits = {t.name: t.data_type for t in m.graph.initializer}
    check("float initializers float16, int64 ones untouched",
          inits == {"emb": TensorProto.FLOAT16, "big": TensorProto.FLOAT16, "scale": TensorProto.FLOAT16,
                    "axis1": TensorProto.INT64}, str(inits))
    casts = [a.i for n in m.graph.node if n.op_type == "Cast" for a in n.attribute if a.name == "to"]
    check("Cast(to=FLOAT) now casts to FLOAT16", casts == [TensorProto.FLOAT16], str(casts))
    check("value_float Constant became a float16 tensor",
          any(n.op_type == "Constant" and n.output[0] == "half" and n.attribute[0].name == "value"
              and n.attribute[0].t.data_type == TensorProto.FLOAT16 for n in m.graph.node))
    check("values beyond +-65504 clamped and counted", stats["clamped"] == 2, json.dumps(stats["clampedWhere"]))
    check("card: id -fp16, same parameters and tokens, source names the conversion",
          new_card["id"] == "tiny-fp16" and all(new_card[k] == card[k] for k in ("params", "paramsTotal", "trainTokens"))
          and "to_fp16.py" in new_card["source"] and os.path.exists(card_path)
          and json.loads(next(p.value for p in m.metadata_props if p.key == "plmbench.card")) == new_card)

    # runs: float16 vs float32 through onnxruntime-node
    ids = np.array([[0, 3, 4, 5, 2, PAD, PAD]], dtype=np.int64)
    feeds = [{"input_ids": ids}]
    ref = X.ort_outputs("test", src, feeds, ["logits", "attentions"])
    if ref is None:
        print("skip runs: node or node_modules/onnxruntime-node not found (npm ci)")
    else:
        got = X.ort_outputs("test", out, feeds, ["logits", "attentions"])
        d = {n: float(np.max(np.abs(got[0][n] - ref[0][n]))) for n in ("logits", "attentions")}
        check("float16 outputs within 1e-2 of float32 (logits scale ~3, attentions <= 1)",
              d["logits"] <= 1e-2 * max(1, float(np.max(np.abs(ref[0]["logits"])))) and d["attentions"] <= 1e-2,
              json.dumps(d))
        check("padding columns get attention weight exactly 0 after the clamp to -65504",
              float(np.max(got[0]["attentions"][0, :, 5:])) == 0.0)
        report = to_fp16.parity_fp16("test", src, out, feeds=feeds)
        check("parity_fp16 against the float32 file", report is not None and report["logits"]["relative"] <= to_fp16.FP16_PARITY_TOLERANCE,
              json.dumps(report))
        # plm_export --fp16: against the float32 outputs as the reference (what PyTorch gives in an export)
        os.remove(out)
        entry = X.fp16_variant("test", src, feeds, {"input_ids": ids}, ref + ref, True)
        check("plm_export --fp16 writes the variant and passes against the right reference",
              os.path.exists(out) and entry["id"] == "tiny-fp16" and entry["parityVsTorch"]["logits"]["maxAbsDiff"] == d["logits"],
              json.dumps(entry["parityVsTorch"]))
        wrong = [{"logits": r["logits"] + 0.5, "attentions": r["attentions"]} for r in ref + ref]
        code = None
        try:
            X.fp16_variant("test", src, feeds, {"input_ids": ids}, wrong, True)
        except SystemExit as e:
            code = e.code
        check("plm_export --fp16 exits 1 against a reference 0.5 away", code == 1, f"exit {code}")
        check("a variant that failed its check is removed with its card",
              not os.path.exists(out) and not os.path.exists(os.path.splitext(out)[0] + ".card.json"))
        to_fp16.convert_file(src, out)  # the float16 file the bad-input cases below need

    # bad input: one line, exit 2
    for args, what in (([out], "already float16"), ([os.path.join(tmp, "missing.onnx")], "missing file"),
                       ([src, "--out", src], "would overwrite"), ([src, "--id", "bad id/x"], "bad card id")):
        p = subprocess.run([sys.executable, os.path.join(HERE, "to_fp16.py"), *args, "--no-verify"], capture_output=True, text=True)
        lines = p.stderr.strip().splitlines()
        check(f"bad input ({what}): exit 2, one line", p.returncode == 2 and len(lines) == 1 and lines[0].startswith("to_fp16: "),
              f"exit {p.returncode}: {p.stderr.strip()}")
    print(f"test_to_fp16: {'FAILED: ' + ', '.join(FAILED) if FAILED else 'all checks passed'}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
