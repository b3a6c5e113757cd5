#!/usr/bin/env bash
# Builds the two release images (memsecret-webhook, memsecret-injector) from a
# local build as OCI archives, without a container engine and without network:
# the root filesystem of each image is staged from the built binary, the shared
# libraries `ldd` names for it, /etc/passwd + /etc/group (user 65532) and, for
# the injector, the CA bundle; Debian's umoci turns it into an OCI image layout
# and the layout is packed into an `oci-archive` tarball that skopeo reads.
#
#   scripts/images.sh [--webhook BIN] [--injector BIN] [--out DIR] [--stage-only]
#
# BIN default to the programs found under ${BUILD_DIR:-build}; DIR defaults to
# ${BUILD_DIR:-build}/images. Writes there:
#   memsecret-webhook-<version>.oci.tar, memsecret-injector-<version>.oci.tar
#   images.json   per image: ref, manifest/config digests, sizes, file list
# --stage-only writes only the root filesystems (DIR/rootfs/<image>/): the
# Dockerfile uses it, so both describe the same files.
#
# Reproducible: the same binaries, SOURCE_DATE_EPOCH and revision give the same
# archive bytes and image digests. SOURCE_DATE_EPOCH defaults to the commit
# time of HEAD; every timestamp (file mtimes, config `created`, history) is set
# from it, the CA bundle comes from the ca-certificates package's own files
# (not the host's /etc/ssl/certs, which may hold local additions), and the
# archive is written by GNU tar with sorted names and fixed owners and times.
#
# Push an archive (no Docker needed):
#   skopeo copy oci-archive:build/images/memsecret-injector-0.1.0.oci.tar:0.1.0 \
#     docker://registry.example.com/memsecret-injector:0.1.0
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUILD_DIR=${BUILD_DIR:-build}
webhook="" injector="" out="" stage_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --webhook) webhook=$2; shift 2 ;;
    --injector) injector=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --stage-only) stage_only=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "images.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
find_program() {  # the build's program, wherever the build tree keeps it
  find "$BUILD_DIR" -type f -name "$1" -perm -u+x -not -path '*/images/*' 2>/dev/null | sort | head -n1
}
[ -n "$webhook" ] || webhook=$(find_program memsecret-webhook)
[ -n "$injector" ] || injector=$(find_program memsecret-injector)
[ -n "$out" ] || out=$BUILD_DIR/images
for bin in "$webhook" "$injector"; do
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "images.sh: build memsecret-webhook and memsecret-injector first (BUILD_DIR=$BUILD_DIR)" >&2
    exit 1
  fi
done

# One version: what the binaries say (--version, from project(... VERSION) in CMakeLists.txt).
version_of() {
  local line
  line=$("$1" --version) || { echo "images.sh: $1 --version failed" >&2; exit 1; }
  case "$line" in "$2 "*) echo "${line#"$2 "}" ;; *) echo "images.sh: $1 --version printed '$line'" >&2; exit 1 ;; esac
}
VERSION=$(version_of "$webhook" memsecret-webhook)
injector_version=$(version_of "$injector" memsecret-injector)
if [ "$VERSION" != "$injector_version" ]; then
  echo "images.sh: webhook $VERSION and injector $injector_version disagree" >&2
  exit 1
fi

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
REVISION=${MEMSECRET_REVISION:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}
export TZ=UTC LC_ALL=C

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/memsecret-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --------------------------------------------------------------------------- root filesystems
copyright_of() {  # Debian package copyright file for a file the image ships or was built from
  local pkg="" path
  # dpkg knows a file by the path its package installed (/lib/... or /usr/lib/... on merged /usr).
  for path in "$1" "/usr$1" "${1#/usr}" "$(readlink -f "$1")"; do
    pkg=$(dpkg-query -S "$path" 2>/dev/null | head -n1 | cut -d: -f1) || true
    [ -z "$pkg" ] || break
  done
  [ -n "$pkg" ] && [ -f "/usr/share/doc/$pkg/copyright" ] && echo "/usr/share/doc/$pkg/copyright"
  return 0
}
# What the injector links statically (injector/static_link.cmake): their licences ship too.
static_sources() {
  local f
  for f in /usr/lib/x86_64-linux-gnu/libssl.a /usr/lib/x86_64-linux-gnu/libcrypto.a \
           "$(g++ -print-file-name=libstdc++.a 2>/dev/null)" "$(g++ -print-file-name=libgcc.a 2>/dev/null)" \
           /usr/include/spdlog/spdlog.h /usr/include/fmt/format.h; do
    [ -e "$f" ] && echo "$f"
  done
  return 0
}

stage() {  # stage NAME BINARY WITH_CA_BUNDLE ROOTFS
  local name=$1 bin=$2 with_ca=$3 root=$4 lib dest line
  rm -rf "$root"
  mkdir -p "$root"/{etc,usr/local/bin,usr/lib,usr/lib64}
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  install -m 0755 "$bin" "$root/usr/local/bin/$name"
  strip --strip-unneeded "$root/usr/local/bin/$name"
  local -a docs=()
  if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
    echo "images.sh: $bin needs libraries this machine lacks:" >&2
    ldd "$bin" | grep 'not found' >&2
    exit 1
  fi
  # Shared libraries, as the dynamic loader will look for them (merged /usr).
  while read -r lib; do
    case "$lib" in /lib/*|/lib64/*) dest=/usr$lib ;; *) dest=$lib ;; esac
    mkdir -p "$root$(dirname "$dest")"
    cp -L "$lib" "$root$dest"
    chmod 0644 "$root$dest"
    case "$dest" in */ld-linux*) chmod 0755 "$root$dest" ;; esac
    doc=$(copyright_of "$lib"); [ -z "$doc" ] || docs+=("$doc")
  done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
  if [ "$name" = memsecret-injector ]; then
    while read -r lib; do
      doc=$(copyright_of "$lib"); [ -z "$doc" ] || docs+=("$doc")
    done < <(static_sources)
  fi
  # The user the images run as (numeric in the image config, named here for tools).
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' \
    > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
  if [ "$with_ca" = 1 ]; then
    # The trust store OpenSSL (statically linked, OPENSSLDIR /usr/lib/ssl) loads by
    # default: the Mozilla CA set of Debian's ca-certificates, as
    # update-ca-certificates would concatenate it, at Debian's paths.
    mkdir -p "$root/etc/ssl/certs" "$root/usr/lib/ssl"
    local crt
    find /usr/share/ca-certificates/mozilla -name '*.crt' | sort | while IFS= read -r crt; do
      cat "$crt"
      [ -z "$(tail -c1 "$crt")" ] || echo
    done > "$root/etc/ssl/certs/ca-certificates.crt"
    if ! grep -q 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt"; then
      echo "images.sh: no CA certificates in /usr/share/ca-certificates/mozilla (apt-get install ca-certificates)" >&2
      exit 1
    fi
    ln -s ../../../etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
    ln -s ../../../etc/ssl/certs "$root/usr/lib/ssl/certs"
    docs+=(/usr/share/doc/ca-certificates/copyright)
  fi
  # Licences of the Debian packages the files come from.
  local d
  for d in $(printf '%s\n' "${docs[@]}" | sort -u); do
    [ -f "$d" ] || continue
    mkdir -p "$root$(dirname "$d")"
    install -m 0644 "$d" "$root$d"
  done
  # Normalised metadata: root-owned, no group/other write, one timestamp.
  chown -hR 0:0 "$root"
  find "$root" -type d -exec chmod 0755 {} +
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

declare -A BIN=([memsecret-webhook]=$webhook [memsecret-injector]=$injector)
declare -A CA=([memsecret-webhook]=0 [memsecret-injector]=1)
declare -A CMD=([memsecret-webhook]=serve [memsecret-injector]=run)
declare -A PORTS=([memsecret-webhook]=8443/tcp [memsecret-injector]="")
declare -A DESC=(
  [memsecret-webhook]="memsecret mutating admission webhook: injects a tmpfs volume and the secret injector into annotated pods"
  [memsecret-injector]="memsecret injector: writes secrets and fresh OAuth tokens into the pod's tmpfs volume, never at rest")
NAMES=(memsecret-webhook memsecret-injector)

for name in "${NAMES[@]}"; do
  stage "$name" "${BIN[$name]}" "${CA[$name]}" "$work/rootfs/$name"
done
if [ "$stage_only" = 1 ]; then
  rm -rf "$out/rootfs"
  mkdir -p "$out/rootfs"
  for name in "${NAMES[@]}"; do cp -a "$work/rootfs/$name" "$out/rootfs/$name"; done
  echo "images.sh: root filesystems of $VERSION in $out/rootfs"
  exit 0
fi

# --------------------------------------------------------------------------- OCI images (umoci) and archives
for name in "${NAMES[@]}"; do
  oci=$work/oci-$name
  img="$oci:$VERSION"
  umoci init --layout "$oci"
  umoci new --image "$img"
  # One layer: the staged root filesystem (unpack the empty image, fill its
  # rootfs with metadata preserved, repack; `umoci insert` 0.4.7 writes a
  # truncated layer tar).
  umoci unpack --image "$img" "$work/bundle-$name" >/dev/null
  cp -a "$work/rootfs/$name/." "$work/bundle-$name/rootfs/"
  umoci repack --image "$img" --history.created "$CREATED" --history.created_by "scripts/images.sh (rootfs)" \
    "$work/bundle-$name"
  labels=(
    "org.opencontainers.image.title=$name"
    "org.opencontainers.image.description=${DESC[$name]}"
    "org.opencontainers.image.version=$VERSION"
    "org.opencontainers.image.revision=$REVISION"
    "org.opencontainers.image.created=$CREATED"
    "org.opencontainers.image.base.name=scratch"
  )
  args=()
  for l in "${labels[@]}"; do args+=(--config.label "$l"); done
  [ -z "${PORTS[$name]}" ] || args+=(--config.exposedports "${PORTS[$name]}")
  umoci config --image "$img" --created "$CREATED" --author "memsecret" --os linux --architecture amd64 \
    --history.created "$CREATED" --history.created_by "scripts/images.sh (config)" \
    --config.user 65532:65532 --config.workingdir / \
    --config.entrypoint "/usr/local/bin/$name" --config.cmd "${CMD[$name]}" \
    "${args[@]}"
  umoci gc --layout "$oci"
  # Every file of the layout with the same time and owner, names sorted.
  find "$oci" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  archive=$out/$name-$VERSION.oci.tar
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$oci" -cf "$archive.tmp" oci-layout index.json blobs
  mv "$archive.tmp" "$archive"
done

# --------------------------------------------------------------------------- summary
python3 - "$out" "$VERSION" "${NAMES[@]}" <<'EOF'
import gzip, hashlib, json, os, sys, tarfile
out, version, names = sys.argv[1], sys.argv[2], sys.argv[3:]
summary = {"version": version, "source_date_epoch": int(os.environ["SOURCE_DATE_EPOCH"]), "images": {}}
for name in names:
    path = os.path.join(out, "%s-%s.oci.tar" % (name, version))
    with open(path, "rb") as f:
        archive_sha = hashlib.sha256(f.read()).hexdigest()
    with tarfile.open(path) as t:
        def blob(digest):
            return t.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()
        index = json.loads(t.extractfile("index.json").read())
        (desc,) = index["manifests"]
        manifest = json.loads(blob(desc["digest"]))
        files, uncompressed = [], 0
        for layer in manifest["layers"]:
            raw = gzip.decompress(blob(layer["digest"]))
            uncompressed += len(raw)
            import io
            with tarfile.open(fileobj=io.BytesIO(raw)) as lt:
                for m in lt.getmembers():
                    kind = "dir" if m.isdir() else "link -> " + m.linkname if m.issym() else "%d bytes" % m.size
                    files.append("/" + m.name.lstrip("./") + ("" if m.isdir() else "  (%s)" % kind))
        compressed = desc["size"] + manifest["config"]["size"] + sum(l["size"] for l in manifest["layers"])
    summary["images"][name] = {
        "archive": os.path.basename(path), "archive_sha256": archive_sha,
        "ref": desc.get("annotations", {}).get("org.opencontainers.image.ref.name"),
        "manifest_digest": desc["digest"], "config_digest": manifest["config"]["digest"],
        "compressed_bytes": compressed, "uncompressed_layer_bytes": uncompressed,
        "archive_bytes": os.path.getsize(path), "files": files}
with open(os.path.join(out, "images.json"), "w") as f:
    json.dump(summary, f, indent=2, sort_keys=True)
    f.write("\n")
for name, s in summary["images"].items():
    print("images.sh: %-40s %s  %.1f MiB compressed, %.1f MiB uncompressed, %d entries" % (
        s["archive"], s["manifest_digest"][:19], s["compressed_bytes"] / 2**20,
        s["uncompressed_layer_bytes"] / 2**20, len(s["files"])))
EOF
