# syntax=docker/dockerfile:1
# Multi-stage build of both binaries on Debian 12 (the same packages CI uses),
# then two minimal non-root runtime images on distroless/cc (glibc, libstdc++,
# libssl). The injector is linked statically except for glibc
# (MEMSECRET_STATIC_INJECTOR, injector/static_link.cmake), so its image adds
# nothing but the binary. Build (needs a Docker engine; not run in CI):
#   docker build --target webhook  -t ghcr.io/memsecret/memsecret-webhook:0.1.0 .
#   docker build --target injector -t ghcr.io/memsecret/memsecret-injector:0.1.0 .

FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config ca-certificates \
      libcpp-httplib-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY include include
COPY common common
COPY webhook webhook
COPY injector injector
COPY bench bench
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMEMSECRET_BUILD_TESTS=OFF -DMEMSECRET_BUILD_BENCH=OFF \
    && cmake --build /build \
    && strip /build/webhook/memsecret-webhook /build/injector/memsecret-injector
# The injector must need nothing but glibc (a dynamic injector here means the
# static link was switched off or lost a library).
RUN extra=$(ldd /build/injector/memsecret-injector | awk '/=> \// {print $1}' | grep -vE '^(libc|libm)\.so' || true); \
    if [ -n "$extra" ]; then echo "memsecret-injector is not static: needs $extra" >&2; exit 1; fi
# Collect the webhook's shared libraries that distroless/cc does not ship.
RUN set -e; for bin in webhook/memsecret-webhook; do \
      name=$(basename $bin); mkdir -p /out/$name/lib; cp /build/$bin /out/$name/; \
      ldd /build/$bin | awk '/=> \// {print $3}' | while read -r lib; do \
        case "$(basename "$lib")" in libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|libssl.so*|libcrypto.so*|ld-linux*) ;; \
          *) cp -L "$lib" /out/$name/lib/ ;; esac; \
      done; done

FROM gcr.io/distroless/cc-debian12:nonroot AS webhook
COPY --from=build /out/memsecret-webhook/lib/ /usr/local/lib/memsecret/
COPY --from=build /out/memsecret-webhook/memsecret-webhook /usr/local/bin/memsecret-webhook
ENV LD_LIBRARY_PATH=/usr/local/lib/memsecret
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/memsecret-webhook"]
CMD ["serve"]

# Static but for glibc: the system trust store (/etc/ssl/certs) comes from the
# image, as for the dynamically linked OpenSSL before (same OPENSSLDIR).
FROM gcr.io/distroless/cc-debian12:nonroot AS injector
COPY --from=build /build/injector/memsecret-injector /usr/local/bin/memsecret-injector
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/memsecret-injector"]
CMD ["run"]
