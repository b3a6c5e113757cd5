#!/bin/sh
# Installs the test-only OAuth server (oidc-provider, pinned in package.json /
# package-lock.json) into tests/oauth/node_modules. Run by scripts/setup.sh;
# safe to run repeatedly (does nothing when up to date).
#   setup.sh --check   installs nothing: exits 0 when the installed modules
#                      match package-lock.json and oidc-provider loads, else 1
#                      naming the fix (ctest's oauth_oidc_setup fixture runs
#                      this, so the test suite never writes into the sources).
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/oauth/setup.sh: node and npm are required for the OAuth integration tests" >&2
  exit 1
fi
stamp=node_modules/.memsecret-lock-stamp
loads() {
  node -e "import('oidc-provider').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })"
}
if [ "${1:-}" = --check ]; then
  if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp" && loads; then
    exit 0
  fi
  echo "tests/oauth/node_modules is missing or older than package-lock.json: run scripts/setup.sh" \
    "(or tests/oauth/setup.sh)" >&2
  exit 1
fi
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
loads
