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

step "nothing written under the install folder"
find "$INST" -type f | sort > "$T/after.txt"
if ! diff "$T/before.txt" "$T/after.txt"; then die "files appeared under $INST (above)"; fi
echo "test-package: all passed"
