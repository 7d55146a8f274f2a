#!/usr/bin/env bash
# Installs Debian's chromium for the browser test of the HTML report (test/report.browser.test.ts).
# Idempotent; where it cannot install (no apt, not root and no sudo, no network) it says so and exits 0:
# the browser test then skips with its own message.
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "setup-chromium: $(chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-chromium: no apt-get on this machine: the browser test of the HTML report will be skipped"
  exit 0
fi
SUDO=''
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO='sudo -n'; else
    echo "setup-chromium: not root and no passwordless sudo: the browser test of the HTML report will be skipped"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq && $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; then
  echo "setup-chromium: installed $(chromium --version 2>/dev/null)"
else
  echo "setup-chromium: apt-get could not install chromium: the browser test of the HTML report will be skipped"
fi
exit 0
