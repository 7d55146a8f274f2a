#!/bin/bash
# Re-runs the Python side of the export path (npm run test:export). Needs python3 with torch and onnx
# (Debian: python3-torch, python3-onnx) and node_modules/onnxruntime-node; skips (exit 0) without torch.
#
#  1. rebuilds the PyTorch checkpoints of the bundled example models from their ONNX files, re-exports
#     them to a temporary folder (each export checks onnxruntime-node against PyTorch, alone and in a
#     right-padded batch, to 1e-4), and compares the PyTorch logits with the committed golden files
#     (test/golden/export/, which `npm test` checks against onnxruntime-node);
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
    && "$PY" models/export/export_$2.py "$T/$id.pt" --out "$T/$id.onnx" --golden "$T/$id.json" > "$T/$id.report" 2> "$T/$id.err"; then
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

# 4. independent implementations (Hugging Face transformers), when installed
if "$PY" models/export/check_reference_hf.py > "$T/ref.json" 2> "$T/ref.err"; then
  pass "check_reference_hf: $(tr -d '\n ' < "$T/ref.json" | head -c 300)"
else
  fail "check_reference_hf: $(head -c 600 "$T/ref.json") $(tail -3 "$T/ref.err")"
fi

if [ $FAILED = 0 ]; then echo "test_export: all passed"; else echo "test_export: FAILED"; fi
exit $FAILED
