#!/usr/bin/env bash
# Submits a sharded plmbench run: an array of N shards and the merge, which waits for all of them.
#   PLMBENCH_MODEL=models/plm-mlm-mini.onnx PLMBENCH_ARGS="--tier full" examples/slurm/submit.sh 4
# Prints the array's and the merge's job ids. Extra sbatch options (partition, account, time, GPUs)
# go in SBATCH_* variables or in the #SBATCH lines of the two scripts.
set -euo pipefail
n="${1:?usage: submit.sh N (number of shards)}"
here="$(cd "$(dirname "$0")" && pwd)"
: "${PLMBENCH_MODEL:?set PLMBENCH_MODEL to the .onnx model}"
export PLMBENCH_OUT="${PLMBENCH_OUT:-$PWD/shards-$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$PLMBENCH_OUT"
array=$(sbatch --parsable --array=0-$(( n - 1 )) "$here/bench-array.sbatch")
array="${array%%;*}"
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/bench-merge.sbatch")
echo "array $array ($n shards), merge ${merge%%;*}: run in $PLMBENCH_OUT/run.json"
