#!/usr/bin/env bash
# Builds the AWS Lambda function zip of the Secrets Manager rotation function
# (docs/rotation.md "A Secrets Manager rotation function"): one file,
# `bootstrap`, the static injector (it serves Lambda's Runtime API when
# AWS_LAMBDA_RUNTIME_API is set), for the provided.al2023 runtime (x86_64).
#
#   scripts/lambda_zip.sh [--injector BIN] [--out FILE]
#
# BIN defaults to ${BUILD_DIR:-build}/injector/memsecret-injector, FILE to
# ${BUILD_DIR:-build}/lambda/memsecret-rotation-<version>.zip. Prints
# "<sha256>  <FILE>" (the hash Lambda reports as CodeSha256 is its base64).
#
# Reproducible: the same binary and SOURCE_DATE_EPOCH give the same bytes.
# SOURCE_DATE_EPOCH defaults to the commit time of HEAD; `bootstrap` is a
# copy with its debug sections removed (strip is deterministic), mode 0755,
# mtime SOURCE_DATE_EPOCH (in UTC: zip stores local time), and `zip -X -D`
# writes no uid/gid or extra timestamp fields and no directory entries.
#
# The binary links glibc dynamically (cmake/static_link.cmake); provided.al2023
# has glibc 2.34, so a binary that needs a newer symbol version is refused
# (LAMBDA_MAX_GLIBC overrides the limit for another runtime). Built on Debian 12
# (glibc 2.36) the injector needs arc4random (2.36, from libstdc++) and
# _dl_find_object (2.35, from libgcc's unwinder): build the zip's binary on
# Amazon Linux 2023, or use the injector image as a container-image function.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
injector=$BUILD_DIR/injector/memsecret-injector
out=
while (($#)); do
  case $1 in
    --injector) injector=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "lambda_zip.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in zip strip objdump sha256sum; do
  command -v "$tool" >/dev/null || { echo "lambda_zip.sh: $tool is required" >&2; exit 1; }
done
[[ -x $injector ]] || { echo "lambda_zip.sh: $injector is not an executable (build memsecret-injector first)" >&2; exit 1; }
if [[ $(od -An -tx1 -j4 -N1 "$injector" | tr -d ' ') != 02 || $(od -An -tx1 -j18 -N1 "$injector" | tr -d ' ') != 3e ]]; then
  echo "lambda_zip.sh: $injector is not an x86-64 ELF executable" >&2
  exit 1
fi
# Everything but glibc must be linked in: the runtime has nothing else.
needed=$(objdump -p "$injector" | awk '/NEEDED/ {print $2}' | grep -vE '^(libc|libm|ld-linux-x86-64)[.]so' || true)
if [[ -n $needed ]]; then
  echo "lambda_zip.sh: $injector needs shared libraries the Lambda runtime lacks: $(echo $needed)" >&2
  echo "  (configure with -DMEMSECRET_STATIC_INJECTOR=ON)" >&2
  exit 1
fi
max_glibc=${LAMBDA_MAX_GLIBC:-2.34}
newest=$(objdump -T "$injector" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
if [[ -n $newest && $(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n1) != "$max_glibc" ]]; then
  echo "lambda_zip.sh: $injector needs glibc $newest; provided.al2023 has $max_glibc" >&2
  echo "  build it on a system with glibc <= $max_glibc (e.g. Amazon Linux 2023), or deploy the injector" >&2
  echo "  image as a container-image function (docs/rotation.md); LAMBDA_MAX_GLIBC sets another limit" >&2
  exit 1
fi

version=$(sed -n 's/^project(memsecret VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
out=${out:-$BUILD_DIR/lambda/memsecret-rotation-${version:-dev}.zip}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
# zip cannot store times before 1980.
((epoch >= 315532800)) || epoch=315532800

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
strip --strip-debug -o "$stage/bootstrap" "$injector"
chmod 0755 "$stage/bootstrap"
TZ=UTC touch -h -d "@$epoch" "$stage/bootstrap"
mkdir -p "$(dirname "$out")"
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out_abs"
(cd "$stage" && TZ=UTC zip -q -X -D "$out_abs" bootstrap)
sha256sum "$out_abs" | awk -v f="$out" '{print $1 "  " f}'
