#!/usr/bin/env bash
# CI: a software Vulkan device (Mesa's lavapipe) so the WebGPU provider of onnxruntime-node can be
# exercised without a GPU. Debian 12's own Mesa 22.3 lavapipe is refused by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); Mesa 25 from bookworm-backports works. Adds that suite
# from the mirror apt already uses, installs libvulkan1 and mesa-vulkan-drivers from it, and exports
# XDG_RUNTIME_DIR (Mesa's Vulkan drivers warn, and some fail, without one).
#
# Then runs the WebGPU parity test (test/webgpu.parity.test.ts, opt-in with PLMBENCH_WEBGPU=1; about
# 4 minutes on lavapipe with 2 cores) and fails the build if WebGPU and CPU disagree. Idempotent: a
# second run only checks the install. Where it cannot install, it says why and skips the test (exit 0).
set -uo pipefail
cd "$(dirname "$0")/.."

webgpu_setup() {
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

  if [ "$(uname -s)" != Linux ]; then echo "setup-webgpu: skipped: not Linux"; return 1; fi

  # Already installed with a Mesa that Dawn accepts (major >= 23): nothing to do.
  local ver
  ver="$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
  case "$ver" in "ii "*) ver="${ver#ii }" ;; *) ver='' ;; esac
  if [ -n "$ver" ] && [ "${ver%%.*}" -ge 23 ] 2>/dev/null && [ "$(dpkg-query -W -f='${db:Status-Abbrev}' libvulkan1 2>/dev/null)" = "ii " ] && ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
    echo "setup-webgpu: already installed (mesa-vulkan-drivers $ver, libvulkan1)"
    return 0
  fi

  if ! command -v apt-get >/dev/null || [ ! -r /etc/debian_version ]; then echo "setup-webgpu: skipped: not a Debian system (needs apt-get)"; return 1; fi
  if [ "$(id -u)" != 0 ]; then echo "setup-webgpu: skipped: needs root to install packages"; return 1; fi
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  if [ "$codename" != bookworm ]; then echo "setup-webgpu: skipped: written for Debian 12 (bookworm), this is '${codename:-unknown}'"; return 1; fi

  # The backports suite, from the same mirror as the main suite (deb822 or one-line format).
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    local mirror=''
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      mirror="$(awk '/^URIs:/{u=$2} /^Suites:/ && / bookworm( |$)/{print u; exit}' /etc/apt/sources.list.d/debian.sources)"
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
      mirror="$(awk '$1=="deb" && $3=="bookworm"{print $2; exit}' /etc/apt/sources.list)"
    fi
    mirror="${mirror:-http://deb.debian.org/debian}"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" \
      > /etc/apt/sources.list.d/plmbench-backports.sources
    echo "setup-webgpu: added bookworm-backports from $mirror"
  fi
  if ! apt-get update -qq >/tmp/setup-webgpu.log 2>&1; then
    echo "setup-webgpu: skipped: apt-get update failed (see /tmp/setup-webgpu.log)"; return 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports libvulkan1 mesa-vulkan-drivers >>/tmp/setup-webgpu.log 2>&1; then
    echo "setup-webgpu: skipped: could not install libvulkan1 and mesa-vulkan-drivers from bookworm-backports (see /tmp/setup-webgpu.log)"; return 1
  fi
  ver="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
  echo "setup-webgpu: installed mesa-vulkan-drivers $ver and libvulkan1"
  return 0
}

if ! webgpu_setup; then
  echo "setup-webgpu: WebGPU parity test skipped"
  exit 0
fi
export PLMBENCH_WEBGPU=1
start=$(date +%s)
npx mocha --no-config --import=tsx --timeout 900000 test/webgpu.parity.test.ts
rc=$?
echo "setup-webgpu: WebGPU parity test took $(( $(date +%s) - start )) s (exit $rc)"
exit $rc
