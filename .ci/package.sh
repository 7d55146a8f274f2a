#!/usr/bin/env bash
# CI: the package as a user installs it (scripts/test-package.sh): pack, install the tarball into an
# empty project with only the npm registry reachable, run inspect, the smoke tier, baseline add and the
# CI recipes' job there. About 4 minutes of CPU (the smoke tier of the example model, then cached reruns).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-package.sh
