#!/usr/bin/env bash
# Install the system tools the tests need, from the package registries only: bubblewrap
# (the grading sandbox), Debian's chromium (never a browser download by Playwright) and axe-core from npm.
#   --sandbox-only   install only bubblewrap (what `make test-fast` needs)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v bwrap >/dev/null 2>&1; then
  echo "Installing bubblewrap (the grading sandbox)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap >/dev/null
fi
[ "${1:-}" = "--sandbox-only" ] && exit 0
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if [ -f tests/browser/package.json ] && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "Installing axe-core from the npm registry..."
  (cd tests/browser && npm ci --silent --no-audit --no-fund)
fi
