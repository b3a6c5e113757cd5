#!/bin/sh
# Installs the test-only OAuth server (oidc-provider, pinned in package.json /
# package-lock.json) into tests/oauth/node_modules. Run by ctest as the
# fixture setup of the OAuth integration tests; safe to run repeatedly.
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: node and npm are required for the OAuth integration tests" >&2
  exit 1
fi
stamp=node_modules/.memsecret-lock-stamp
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
node -e "import('oidc-provider').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })"
