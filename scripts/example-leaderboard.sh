#!/usr/bin/env bash
# Rebuilds results/example-leaderboard.json from smoke-tier runs (seed 0, CPU) of the two bundled example
# models and random-weights controls of their architectures, exactly as results/README.md describes.
# Run it after a task's version changes (test/results.example-leaderboard.test.ts says when).
# Needs Debian's python3-torch and python3-onnx for the controls (models/export/make_random_control.py).
# Usage: scripts/example-leaderboard.sh [WORK_DIR]   (runs and controls go to WORK_DIR, default a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
/usr/bin/python3 models/export/make_random_control.py mlm "$work/rand-mlm-mini.onnx"
/usr/bin/python3 models/export/make_random_control.py clm "$work/rand-clm-mini.onnx"
mkdir -p "$work/runs"
for m in models/plm-mlm-mini.onnx models/plm-clm-mini.onnx "$work/rand-mlm-mini.onnx" "$work/rand-clm-mini.onnx"; do
  id="$(basename "$m" .onnx)"
  node bin/bench.js all --model "$m" --tier smoke --seed 0 --ep cpu --cache-dir "$work/cache" --quiet --out "$work/runs/$id.json"
done
# from the work dir, so the board records the run files as runs/<id>.json, not a temp path
root="$PWD"
(cd "$work" && node "$root/bin/bench.js" leaderboard runs/plm-mlm-mini.json runs/plm-clm-mini.json runs/rand-mlm-mini.json runs/rand-clm-mini.json \
  --out "$root/results/example-leaderboard.json")
echo "runs in $work; wrote results/example-leaderboard.json ($(wc -c < results/example-leaderboard.json) bytes)"
