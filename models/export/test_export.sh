#!/bin/bash
# Re-runs the Python side of the export path (npm run test:export). Needs python3 with torch and onnx
# (Debian: python3-torch, python3-onnx) and node_modules/onnxruntime-node; skips (exit 0) without torch.
#
#  1. rebuilds the PyTorch checkpoints of the bundled example models from their ONNX files, re-exports
#     them to a temporary folder (each export checks onnxruntime-node against PyTorch, alone and in a
#     right-padded batch, to 1e-4), and compares the PyTorch logits with the committed golden files
#     (test/golden/export/, which `npm test` checks against onnxruntime-node); with --fp16, so the float16
#     variant is written and checked against PyTorch too;
#  2. exports checkpoints in the real public formats built by make_synthetic.py (fair-esm ESM-2 8M with
#     its contact regression; ProGen2-small geometry, 2 of its 12 layers) and checks their outputs;
#  3. checks that bad input is refused with one line on stderr and exit code 2;
#  4. runs check_reference_hf.py (skipped unless Hugging Face transformers is installed).
# Exit code 0 when everything passed, 1 otherwise.
set -u
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
if ! "$PY" -c "import torch, onnx" 2>/dev/null; then
  echo "test_export: skipped: $PY lacks torch or onnx (Debian: apt-get install python3-torch python3-onnx)"
  exit 0
fi
T=$(mktemp -d -t plmbench-export-XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILED=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; FAILED=1; }

# 1. the bundled example models
for pair in "mlm esm" "clm causal"; do
  set -- $pair
  id="plm-$1-mini"
  if "$PY" models/export/onnx_to_checkpoint.py "models/$id.onnx" "$T/$id.pt" \
    && "$PY" models/export/export_$2.py "$T/$id.pt" --out "$T/$id.onnx" --golden "$T/$id.json" --fp16 > "$T/$id.report" 2> "$T/$id.err"; then
    if "$PY" - "$T/$id.json" "test/golden/export/$id.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert [s["input_ids"] for s in a["sequences"]] == [s["input_ids"] for s in b["sequences"]], "input ids differ"
d = max(abs(x - y) for sa, sb in zip(a["sequences"], b["sequences"]) for ra, rb in zip(sa["logits"], sb["logits"])
        for x, y in zip(ra, rb))
print(f"     PyTorch logits vs committed golden: max |diff| = {d:.3g}")
sys.exit(0 if d <= 1e-5 else 1)
EOF
    then pass "$id: re-export, onnxruntime-node parity $(grep -o '"parityMaxAbsDiff": {[^}]*}' "$T/$id.report")"
    else fail "$id: PyTorch logits differ from test/golden/export/$id.json"; fi
    # --fp16: the float16 variant, checked against PyTorch within to_fp16's tolerance (exit 1 otherwise)
    if [ -f "$T/$id.fp16.onnx" ] && grep -q '"parityVsTorch": {"logits"' "$T/$id.report"; then
      pass "$id: --fp16 variant vs PyTorch $(grep -o '"parityVsTorch": {"logits": {[^}]*}' "$T/$id.report")"
    else fail "$id: --fp16 wrote no checked float16 variant"; fi
  else
    fail "$id: re-export failed: $(tail -1 "$T/$id.err")"
  fi
done

# 2. real checkpoint formats (random weights, real configurations)
ESM=$("$PY" models/export/make_synthetic.py esm2 "$T/esm") || fail "make_synthetic esm2"
if "$PY" models/export/export_esm.py "$ESM" --out "$T/esm2_t6_8M.onnx" --train-tokens 500000x2000000 > "$T/esm.report" 2> "$T/esm.err" \
  && grep -q '"outputs": \["logits", "hidden_states", "attentions", "contacts"\]' "$T/esm.report" \
  && grep -q '"trainTokens": 1000000000000' "$T/esm2_t6_8M.card.json"; then
  pass "fair-esm ESM-2 8M format: $(grep -o '"params": [0-9]*, "paramsTotal": [0-9]*' "$T/esm.report"), contacts, parity $(grep -o '"parityMaxAbsDiff": {[^}]*}' "$T/esm.report")"
else
  fail "fair-esm ESM-2 8M format: $(tail -1 "$T/esm.err")"
fi
PG=$("$PY" models/export/make_synthetic.py progen2 "$T/progen2-small" --layers 2) || fail "make_synthetic progen2"
if "$PY" models/export/export_causal.py "$PG" --out "$T/progen2.onnx" --train-tokens 1e9 > "$T/pg.report" 2> "$T/pg.err" \
  && grep -q '"family": "progen2"' "$T/progen2.card.json"; then
  pass "ProGen2 HF folder format (small geometry, 2 layers): parity $(grep -o '"parityMaxAbsDiff": {[^}]*}' "$T/pg.report")"
else
  fail "ProGen2 HF folder format: $(tail -1 "$T/pg.err")"
fi

# 3. bad input: one line on stderr, exit code 2
"$PY" - "$T" <<'EOF' || fail "could not write the bad-input fixtures"
import os, sys, json, torch
sys.path.insert(0, "models/train")
t = sys.argv[1]
open(f"{t}/no_heads.py", "w").write('''
import torch
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.emb = torch.nn.Embedding(33, 8); self.num_layers = 1
    def forward(self, tokens, repr_layers=[]):
        x = self.emb(tokens); return {"logits": x @ self.emb.weight.T, "representations": {1: x}}
def build(path): return M()
''')
open(f"{t}/no_mask.py", "w").write('''
import torch
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.emb = torch.nn.Embedding(32, 8)
    def forward(self, input_ids, output_hidden_states=False, output_attentions=False):
        return {"logits": self.emb(input_ids) @ self.emb.weight.T}
def build(path): return M()
''')
from argparse import Namespace
esm = torch.load(f"{t}/esm/esm2_t6_8M_UR50D.pt")
sd = {k: v for k, v in esm["model"].items() if not k.startswith("encoder.lm_head.dense")}
torch.save({"model": sd, "cfg": esm["cfg"], "args": None}, f"{t}/esm_no_head.pt")
torch.save({"model": {}, "args": Namespace(arch="roberta_large")}, f"{t}/esm1b.pt")
os.makedirs(f"{t}/pg_no_head", exist_ok=True)
sd = torch.load(f"{t}/progen2-small/pytorch_model.bin")
torch.save({k: v for k, v in sd.items() if not k.startswith("lm_head")}, f"{t}/pg_no_head/pytorch_model.bin")
json.dump(json.load(open(f"{t}/progen2-small/config.json")), open(f"{t}/pg_no_head/config.json", "w"))
EOF
refuse() {  # name, command...
  local name=$1; shift
  "$@" > "$T/bad.out" 2> "$T/bad.err"; local rc=$?
  local lines; lines=$(grep -c . "$T/bad.err")
  if [ "$rc" = 2 ] && [ "$lines" = 1 ]; then pass "refuses $name: $(cat "$T/bad.err")"
  else fail "refuses $name: exit $rc, $lines stderr line(s): $(head -c 400 "$T/bad.err")"; fi
}
X="$PY models/export/export_esm.py"
C="$PY models/export/export_causal.py"
refuse "a missing token count" $X "$ESM" --out "$T/bad.onnx"
refuse "a malformed token count" $X "$ESM" --out "$T/bad.onnx" --train-tokens lots
refuse "an output name clash" $X "$ESM" --out "$T/bad.onnx" --train-tokens 1e12 --output-name hidden_states=logits
refuse "an output named like an input" $C "$PG" --out "$T/bad.onnx" --train-tokens 1e9 --output-name logits=input_ids
refuse "an ESM forward without need_head_weights" $X x --factory "$T/no_heads.py:build" --out "$T/bad.onnx" --train-tokens 1 --family f --license l --max-length 10
refuse "a causal forward without attention_mask" $C x --factory "$T/no_mask.py:build" --out "$T/bad.onnx" --train-tokens 1 --family f --license l --max-length 10
refuse "an ESM-2 checkpoint without its LM head" $X "$T/esm_no_head.pt" --out "$T/bad.onnx" --train-tokens 1e12
refuse "an ESM-1b checkpoint" $X "$T/esm1b.pt" --out "$T/bad.onnx" --train-tokens 1e12
refuse "a ProGen2 folder without lm_head" $C "$T/pg_no_head" --out "$T/bad.onnx" --train-tokens 1e9
refuse "a missing checkpoint" $C "$T/nowhere" --out "$T/bad.onnx" --train-tokens 1e9

# 5. checkpoint layouts a user has, and the check against the user's own model (2-layer ESM-2 geometry)
E2=$("$PY" models/export/make_synthetic.py esm2 "$T/esm2l" --layers 2) || fail "make_synthetic esm2 --layers 2"
"$PY" - "$E2" "$T" <<'EOF2' || fail "could not write the layout and reference fixtures"
import json, os, sys
import numpy as np, torch
sys.path.insert(0, "models/train"); sys.path.insert(0, "models/export")
import export_esm as E, plm_export as X
from plm_data import esm_encode
ck, t = sys.argv[1], sys.argv[2]
model, _ = E.load_checkpoint(ck, None)
sd = model.state_dict()
cfg = dict(num_layers=2, embed_dim=320, attention_heads=20)
# fair-esm layouts written by hand: {config, state_dict} and {args, model} (ESM-2 names, DDP prefix)
torch.save({"config": cfg, "state_dict": sd}, f"{t}/config_state_dict.pt")
from argparse import Namespace
torch.save({"args": Namespace(arch="esm2", encoder_layers=2, encoder_embed_dim=320, encoder_attention_heads=20),
            "model": {"module." + k: v for k, v in sd.items()}}, f"{t}/args_model.pt")
# Hugging Face EsmForMaskedLM folder: the same weights under transformers' names (convert_esm.py's mapping)
hf = {}
for k, v in sd.items():
    for a, b in [("embed_tokens.", "esm.embeddings.word_embeddings."), ("emb_layer_norm_after.", "esm.encoder.emb_layer_norm_after."),
                 ("contact_head.", "esm.contact_head.")]:
        if k.startswith(a): hf[b + k[len(a):]] = v; break
    else:
        if k.startswith("layers."):
            i, rest = k.split(".", 2)[1:]
            m = {"self_attn.q_proj.": "attention.self.query.", "self_attn.k_proj.": "attention.self.key.",
                 "self_attn.v_proj.": "attention.self.value.", "self_attn.rot_emb.": "attention.self.rotary_embeddings.",
                 "self_attn.out_proj.": "attention.output.dense.", "self_attn_layer_norm.": "attention.LayerNorm.",
                 "fc1.": "intermediate.dense.", "fc2.": "output.dense.", "final_layer_norm.": "LayerNorm."}
            p = next(p for p in m if rest.startswith(p))
            hf[f"esm.encoder.layer.{i}.{m[p]}{rest[len(p):]}"] = v
        elif k == "lm_head.weight": hf["lm_head.decoder.weight"] = v
        elif k == "lm_head.bias": hf["lm_head.bias"] = v
        else: hf[k] = v
os.makedirs(f"{t}/hf_esm", exist_ok=True)
torch.save(hf, f"{t}/hf_esm/pytorch_model.bin")
json.dump({"architectures": ["EsmForMaskedLM"], "model_type": "esm", "num_hidden_layers": 2, "hidden_size": 320,
           "num_attention_heads": 20, "vocab_size": 33, "max_position_embeddings": 1026,
           "position_embedding_type": "rotary", "token_dropout": True}, open(f"{t}/hf_esm/config.json", "w"))
# the user's own model's logits on the probes: the same weights (matches), and the weights "repacked
# wrongly" (query and key projections of layer 0 swapped: the mistake the parity check used to miss)
def probe_logits(m):
    with torch.no_grad():
        outs = [m(torch.tensor([esm_encode(s)]))["logits"][0].numpy() for s in X.PROBE_SEQUENCES]
    arr = np.zeros((3, max(len(o) for o in outs), 33), dtype=np.float32)
    for i, o in enumerate(outs): arr[i, :len(o)] = o
    return arr
np.save(f"{t}/ref_same.npy", probe_logits(model))
wrong = {k: v.clone() for k, v in sd.items()}
wrong["layers.0.self_attn.q_proj.weight"], wrong["layers.0.self_attn.k_proj.weight"] = sd["layers.0.self_attn.k_proj.weight"], sd["layers.0.self_attn.q_proj.weight"]
model.load_state_dict(wrong)
np.save(f"{t}/ref_wrong.npy", probe_logits(model))
np.save(f"{t}/ref_bad.npy", np.zeros((3, 5, 33), dtype=np.float32))
open(f"{t}/esm_factory.py", "w").write(f'''
import sys
sys.path.insert(0, "models/export"); sys.path.insert(0, "models/train")
import export_esm as E
def build(checkpoint):
    return E.load_checkpoint({ck!r}, None)[0]
''')
open(f"{t}/own_model.py", "w").write(f'''
import sys
sys.path.insert(0, "models/export"); sys.path.insert(0, "models/train")
import export_esm as E
def build(checkpoint):
    model, _ = E.load_checkpoint({ck!r}, None)
    return lambda ids: model(ids)["logits"]
''')
EOF2
for layout in config_state_dict.pt args_model.pt hf_esm; do
  if "$PY" models/export/export_esm.py "$T/$layout" --out "$T/layout.onnx" --train-tokens 1e9 --license MIT --reference-logits "$T/ref_same.npy" > "$T/layout.report" 2> "$T/layout.err"; then
    pass "fair-esm/HF layout $layout: exports, matches the model's own logits $(grep -o '"referenceMaxAbsDiff": {[^}]*}' "$T/layout.report")"
  else
    fail "layout $layout: $(tail -1 "$T/layout.err")"
  fi
done
if "$PY" models/export/export_esm.py "$E2" --out "$T/ref.onnx" --train-tokens 1e9 --reference-module "$T/own_model.py:build" > "$T/ref.report" 2> "$T/ref.err"; then
  pass "--reference-module (the user's own module on the probes): $(grep -o '"referenceMaxAbsDiff": {[^}]*}' "$T/ref.report")"
else
  fail "--reference-module: $(tail -1 "$T/ref.err")"
fi
"$PY" models/export/export_esm.py "$E2" --out "$T/mismatch.onnx" --train-tokens 1e9 --reference-logits "$T/ref_wrong.npy" > "$T/mm.out" 2> "$T/mm.err"; rc=$?
if [ "$rc" = 1 ] && grep -q '^export_esm: reference check failed: .* by up to [0-9.]* (per probe: P0C5R4 [0-9.e-]*, P0CX33 [0-9.e-]*, O32583 [0-9.e-]*; tolerance 0.001)' "$T/mm.err"; then
  pass "a mismatched export fails the reference check (exit 1): $(cat "$T/mm.err")"
else
  fail "a mismatched export: exit $rc, $(cat "$T/mm.err")"
fi
refuse "a factory model without its card fields" $X x --factory "$T/esm_factory.py:build" --out "$T/bad.onnx"
if grep -q 'give --family (.*); --license (.*); --max-length (.*); --train-tokens (.*)' "$T/bad.err"; then pass "  ... naming all four missing flags at once"
else fail "  the missing card fields are not named at once: $(cat "$T/bad.err")"; fi
refuse "reference logits of the wrong shape" $X "$E2" --out "$T/bad.onnx" --train-tokens 1e9 --reference-logits "$T/ref_bad.npy"

# 4. independent implementations (Hugging Face transformers), when installed
if "$PY" models/export/check_reference_hf.py > "$T/ref.json" 2> "$T/ref.err"; then
  pass "check_reference_hf: $(tr -d '\n ' < "$T/ref.json" | head -c 300)"
else
  fail "check_reference_hf: $(head -c 600 "$T/ref.json") $(tail -3 "$T/ref.err")"
fi

if [ $FAILED = 0 ]; then echo "test_export: all passed"; else echo "test_export: FAILED"; fi
exit $FAILED
