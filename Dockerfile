# syntax=docker/dockerfile:1
# Multi-stage build of both binaries on Debian 12 (the same packages CI uses),
# then two minimal non-root runtime images on distroless/cc (glibc, libstdc++,
# libssl). Build (needs a Docker engine; not run in CI):
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
# Collect each binary's shared libraries that distroless/cc does not ship.
RUN set -e; for bin in webhook/memsecret-webhook injector/memsecret-injector; do \
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

FROM gcr.io/distroless/cc-debian12:nonroot AS injector
COPY --from=build /out/memsecret-injector/lib/ /usr/local/lib/memsecret/
COPY --from=build /out/memsecret-injector/memsecret-injector /usr/local/bin/memsecret-injector
ENV LD_LIBRARY_PATH=/usr/local/lib/memsecret
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/memsecret-injector"]
CMD ["run"]
