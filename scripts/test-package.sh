#!/usr/bin/env bash
# The package as a new user gets it (npm run test:package): packs the tarball (prepack compiles dist/),
# installs it into a new empty project with no .npmrc (an empty user config too; only the npm registry
# reachable), and runs the installed CLI on the bundled example model: --version, inspect, the smoke tier,
# baseline add. Fails when any step fails, when npm warns about config, when tsx or TypeScript source
# is needed at run time, or when anything is written under the install folder.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
T=$(mktemp -d -t plmbench-package-XXXXXX)
trap 'rm -rf "$T"' EXIT
step() { echo "== $*"; }
die() { echo "test-package: FAILED: $*" >&2; exit 1; }

step "npm pack"
start=$SECONDS
npm pack --pack-destination "$T" --silent > "$T/pack.out"
TGZ="$T/$(tail -1 "$T/pack.out")"
[ -f "$TGZ" ] || die "npm pack wrote no tarball ($(cat "$T/pack.out"))"
echo "tarball: $(basename "$TGZ"), $(du -k "$TGZ" | cut -f1) KiB, $(tar tzf "$TGZ" | wc -l) files ($((SECONDS - start)) s)"
if tar tzf "$TGZ" | grep -E '^package/(src|test|models/train|models/fixtures)/|\.ts$' | grep -v '\.d\.ts$' | head -3 | grep .; then
  die "the tarball carries sources, tests or training scripts (above)"
fi

step "install into an empty project"
P="$T/project"
mkdir "$P" && cd "$P"
: > "$T/empty-npmrc"
export NPM_CONFIG_USERCONFIG="$T/empty-npmrc"   # nothing of the user's npm settings
export NPM_CONFIG_UPDATE_NOTIFIER=false
export PLMBENCH_HOME="$T/home"                  # user state (registered baselines) goes here
npm init -y > /dev/null
# Dependency install scripts: npm 12 blocks them unless allowed; npm 11.16+ runs them unless the project
# denies them. onnxruntime-node's would download CUDA libraries from api.nuget.org (README: CUDA is opt-in).
npm pkg set allowScripts.onnxruntime-node=false --json
start=$SECONDS
npm install --no-audit --no-fund "$TGZ" > "$T/install.out" 2>&1 || { cat "$T/install.out"; die "npm install failed"; }
echo "installed in $((SECONDS - start)) s: $(grep -E '^added' "$T/install.out")"
[ ! -e node_modules/tsx ] || die "tsx was installed as a runtime dependency"
[ ! -e node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ] || die "CUDA libraries were downloaded"
[ ! -e .npmrc ] || die "the project has an .npmrc"
INST=node_modules/plmbench
MODEL=$INST/models/plm-mlm-mini.onnx
find "$INST" -type f | sort > "$T/before.txt"

bench() {  # runs the installed CLI; fails on any npm warning about config
  npx --no-install bench "$@" 2> >(tee "$T/stderr.txt" >&2)
  local rc=$?
  if grep -q 'npm warn' "$T/stderr.txt"; then die "npm warned: $(grep 'npm warn' "$T/stderr.txt" | head -1)"; fi
  return $rc
}

step "bench --version"
bench --version
step "bench (usage)"
bench --help | sed -n 1,12p
bench --help | grep -q '^bench run ' || die "the usage does not list bench run"
step "bench inspect"
start=$SECONDS
bench inspect --model "$MODEL" > "$T/inspect.txt"
head -20 "$T/inspect.txt"
echo "... ($((SECONDS - start)) s)"
step "bench all --tier smoke"
start=$SECONDS
bench all --model "$MODEL" --tier smoke --cache-dir "$T/cache" > "$T/all.txt"
tail -15 "$T/all.txt"
echo "smoke tier: $((SECONDS - start)) s"
RUN=$(find results/runs -name '*.json' | head -1)
[ -n "$RUN" ] || die "no run JSON under the project's results/runs"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = Object.entries(r.tasks).filter(([, t]) => t.status === "failed");
  if (failed.length) { console.error("failed tasks:", failed.map(([n, t]) => `${n}: ${t.reason}`).join("; ")); process.exit(1); }
  console.log(`run ${process.argv[1]}: harness ${r.harness.version}, ` + Object.entries(r.tasks).map(([n, t]) => `${n}=${t.status}`).join(" "));
' "$RUN" || die "the smoke run has failed tasks"
step "bench baseline add"
bench baseline add "$RUN" --id example-mlm-mini --family example > /dev/null
[ -f "$PLMBENCH_HOME/registered.json" ] || die "baseline add did not write \$PLMBENCH_HOME/registered.json"
echo "registered store: \$PLMBENCH_HOME/registered.json"

step "the CI recipes' job (examples/ci/bench-ci.sh, as github-actions.yml and gitlab-ci.yml run it)"
for y in "$REPO/examples/ci/github-actions.yml" "$REPO/examples/ci/gitlab-ci.yml"; do
  for line in 'npm pkg set allowScripts.onnxruntime-node=false --json' 'bash node_modules/plmbench/examples/ci/bench-ci.sh' '.plmbench-ci'; do
    grep -qF -- "$line" "$y" || die "$(basename "$y") no longer has: $line (keep it in step with this test)"
  done
done
CI_SCRIPT=$INST/examples/ci/bench-ci.sh
export MODEL PLMBENCH_CI_DIR="$P/.plmbench-ci" BENCH_ARGS="--tasks perplexity,fitness"
mkdir -p "$PLMBENCH_CI_DIR" && cp -r "$T/cache" "$PLMBENCH_CI_DIR/cache"   # as restored by the CI cache
start=$SECONDS
bash "$CI_SCRIPT" > "$T/ci1.txt" 2>&1 || { cat "$T/ci1.txt"; die "bench-ci.sh, first run (no baseline), failed"; }
grep -q 'no stored baseline; this run becomes the baseline' "$T/ci1.txt" || die "first CI run did not store the baseline"
bash "$CI_SCRIPT" > "$T/ci2.txt" 2>&1 || { cat "$T/ci2.txt"; die "bench-ci.sh, second run (gate against the baseline), failed"; }
grep -q '^bench gate: baseline' "$T/ci2.txt" || die "second CI run did not gate"
[ -s "$PLMBENCH_CI_DIR/report.md" ] || die "no report.md for the job summary"
node -e '
  const f = process.argv[1], r = JSON.parse(require("fs").readFileSync(f, "utf8"));
  r.tasks.perplexity.version = "0.0.1";   // as if the task had been bumped since the baseline was stored
  require("fs").writeFileSync(f, JSON.stringify(r));
' "$PLMBENCH_CI_DIR/baseline.json"
rc=0
npx --no-install bench gate --baseline "$PLMBENCH_CI_DIR/baseline.json" --current "$PLMBENCH_CI_DIR/current.json" > /dev/null 2> "$T/stale.err" || rc=$?
[ "$rc" = 4 ] || die "a stale baseline gave exit $rc, not 4: $(cat "$T/stale.err")"
echo "stale baseline: exit 4: $(cat "$T/stale.err")"
bash "$CI_SCRIPT" > "$T/ci3.txt" 2>&1 || { cat "$T/ci3.txt"; die "bench-ci.sh with a stale baseline did not refresh it"; }
grep -q 'refreshing it with this run' "$T/ci3.txt" || die "the stale baseline was not refreshed"
bash "$CI_SCRIPT" > "$T/ci4.txt" 2>&1 || { cat "$T/ci4.txt"; die "the gate failed against the refreshed baseline"; }
echo "CI job: baseline stored, gated, stale baseline refreshed, gated again ($((SECONDS - start)) s for 4 runs, $BENCH_ARGS); report.md:"
head -5 "$PLMBENCH_CI_DIR/report.md"

step "nothing written under the install folder"
find "$INST" -type f | sort > "$T/after.txt"
if ! diff "$T/before.txt" "$T/after.txt"; then die "files appeared under $INST (above)"; fi
echo "test-package: all passed"
