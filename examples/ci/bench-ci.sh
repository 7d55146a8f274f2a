#!/usr/bin/env bash
# The CI job of examples/ci/github-actions.yml and examples/ci/gitlab-ci.yml, as one script both call
# (and scripts/test-package.sh runs, so the recipes cannot rot). Run from the project that installed
# plmbench (npm install plmbench), with:
#   MODEL            the model to benchmark (.onnx, card beside it)            required
#   PLMBENCH_CI_DIR  state kept between CI runs (cache it): forward-pass cache, the stored baseline run
#                    (default .plmbench-ci)
#   BENCH_ARGS       extra flags for bench all (e.g. "--tasks perplexity,fitness")
# Steps: the smoke tier (forward passes cached in $PLMBENCH_CI_DIR/cache), the gate against the stored
# baseline run, the report (report.md, for the job summary / artifact). Exit codes: 0 passed (or no
# baseline yet: this run is stored as the baseline; or the baseline was from an older task version: the
# gate exits 4, "baseline is from task version X ...: refresh it", and this script refreshes it);
# 1 the gate found a regression; 2 or 3 as bench.
set -uo pipefail
: "${MODEL:?set MODEL to the .onnx file to benchmark}"
DIR=${PLMBENCH_CI_DIR:-.plmbench-ci}
mkdir -p "$DIR/cache"
bench() { npx --no-install bench "$@"; }

# shellcheck disable=SC2086  # BENCH_ARGS is a list of flags
bench all --model "$MODEL" --tier smoke --cache-dir "$DIR/cache" --out "$DIR/current.json" ${BENCH_ARGS:-} || exit $?

gate=0
if [ -f "$DIR/baseline.json" ]; then
  bench gate --baseline "$DIR/baseline.json" --current "$DIR/current.json" > "$DIR/gate.txt" 2> "$DIR/gate.err"
  gate=$?
  cat "$DIR/gate.txt" "$DIR/gate.err"
  if [ "$gate" = 4 ]; then
    echo "bench-ci: the stored baseline is from another task version; refreshing it with this run"
    cp "$DIR/current.json" "$DIR/baseline.json"
    gate=0
  fi
else
  echo "bench-ci: no stored baseline; this run becomes the baseline" | tee "$DIR/gate.txt"
  cp "$DIR/current.json" "$DIR/baseline.json"
fi

# The report (bench report, when this plmbench has it), else the gate table.
if bench report --help > /dev/null 2>&1; then
  bench report "$DIR/current.json" --out "$DIR/report.md" || exit $?
else
  { echo '# plmbench smoke run'; echo; echo '```'; cat "$DIR/gate.txt"; echo '```'; } > "$DIR/report.md"
fi
exit "$gate"
