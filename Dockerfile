# syntax=docker/dockerfile:1
# The two release images for users with a Docker engine. They hold the same
# files as the OCI archives scripts/images.sh builds without one (what the
# tests run): the build stage compiles both binaries on Debian 12 (the same
# packages CI uses) and stages each image's root filesystem with
# `scripts/images.sh --stage-only` — the binary, the shared libraries `ldd`
# finds for it, /etc/passwd + /etc/group for 65532, the injector's CA bundle,
# the Debian copyright files — and each final image is that root filesystem
# on `scratch`, running as 65532:65532, with the same config and labels.
# The injector is linked statically except for glibc (injector/static_link.cmake).
#   docker build --target webhook  -t ghcr.io/memsecret/memsecret-webhook:0.1.0 .
#   docker build --target injector -t ghcr.io/memsecret/memsecret-injector:0.1.0 .
# MEMSECRET_VERSION must be the version in CMakeLists.txt (the build checks it);
# SOURCE_DATE_EPOCH and MEMSECRET_REVISION set the timestamps and the
# org.opencontainers.image.created / .revision labels.
ARG MEMSECRET_VERSION=0.1.0
ARG SOURCE_DATE_EPOCH=0
ARG MEMSECRET_REVISION=unknown

FROM debian:12-slim AS build
ARG MEMSECRET_VERSION
ARG SOURCE_DATE_EPOCH
ARG MEMSECRET_REVISION
RUN apt-get update && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config ca-certificates \
      libcpp-httplib-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole tree (.dockerignore leaves out build directories and node_modules).
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMEMSECRET_BUILD_TESTS=OFF -DMEMSECRET_BUILD_BENCH=OFF \
    && cmake --build /build
RUN webhook=$(find /build -type f -name memsecret-webhook -perm -u+x | head -n1); \
    test "$($webhook --version)" = "memsecret-webhook ${MEMSECRET_VERSION}" \
    || { echo "MEMSECRET_VERSION=${MEMSECRET_VERSION} is not the version of the build" >&2; exit 1; }
# The injector must need nothing but glibc (a dynamic injector here means the
# static link was switched off or lost a library).
RUN injector=$(find /build -type f -name memsecret-injector -perm -u+x | head -n1); \
    extra=$(ldd "$injector" | awk '/=> \// {print $1}' | grep -vE '^(libc|libm)\.so' || true); \
    if [ -n "$extra" ]; then echo "memsecret-injector is not static: needs $extra" >&2; exit 1; fi
RUN BUILD_DIR=/build SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH} MEMSECRET_REVISION=${MEMSECRET_REVISION} \
      scripts/images.sh --stage-only --out /out

FROM scratch AS webhook
ARG MEMSECRET_VERSION
ARG SOURCE_DATE_EPOCH
ARG MEMSECRET_REVISION
COPY --from=build /out/rootfs/memsecret-webhook/ /
USER 65532:65532
WORKDIR /
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/memsecret-webhook"]
CMD ["serve"]
LABEL org.opencontainers.image.title="memsecret-webhook" \
      org.opencontainers.image.description="memsecret mutating admission webhook: injects a tmpfs volume and the secret injector into annotated pods" \
      org.opencontainers.image.version="${MEMSECRET_VERSION}" \
      org.opencontainers.image.revision="${MEMSECRET_REVISION}" \
      org.opencontainers.image.base.name="scratch"

FROM scratch AS injector
ARG MEMSECRET_VERSION
ARG SOURCE_DATE_EPOCH
ARG MEMSECRET_REVISION
COPY --from=build /out/rootfs/memsecret-injector/ /
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/usr/local/bin/memsecret-injector"]
CMD ["run"]
LABEL org.opencontainers.image.title="memsecret-injector" \
      org.opencontainers.image.description="memsecret injector: writes secrets and fresh OAuth tokens into the pod's tmpfs volume, never at rest" \
      org.opencontainers.image.version="${MEMSECRET_VERSION}" \
      org.opencontainers.image.revision="${MEMSECRET_REVISION}" \
      org.opencontainers.image.base.name="scratch"
