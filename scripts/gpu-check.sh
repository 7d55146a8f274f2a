#!/usr/bin/env bash
# GPU check (issue 17): parity and throughput of CPU vs WebGPU vs CUDA (where present) on both example
# models and an ESM-2 8M-shaped fixture; writes one JSON. Unattended, no network, meant to finish in
# under 8 minutes on a machine with an NVIDIA GPU.
#
#   scripts/gpu-check.sh [OUT.json] [CARRIED_DIR]
#
# CARRIED_DIR: a folder of carried files, the Vulkan loader (libvulkan.so.1) at least, for machines
# without one installed (the NVIDIA driver provides the Vulkan ICD; the loader is a separate package).
# It is put first on LD_LIBRARY_PATH; an icd.d/ inside it, if any, is used as the Vulkan driver list.
# Needs node_modules installed (npm ci) beforehand; nothing is downloaded.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/perf/gpu-check-$(date -u +%Y-%m-%d).json}"
carried="${2:-}"
if [ -n "$carried" ]; then
  carried="$(cd "$carried" && pwd)"
  export LD_LIBRARY_PATH="$carried${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if [ -d "$carried/icd.d" ]; then export VK_DRIVER_FILES="$(ls "$carried"/icd.d/*.json | paste -sd:)"; fi
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" "$(dirname "$out")"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu-check: no nvidia-smi"
node bin/bench.js inspect --model models/plm-mlm-mini.onnx 2>&1 | sed -n '/^provider/,/^$/p'
# 7 minutes for the measurements, then the JSON is written whatever is left.
timeout 470 node --import tsx scripts/gpu-check.ts --out "$out" --budget-s 400
