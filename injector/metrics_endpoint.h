// MetricsEndpoint: the injector's opt-in Prometheus endpoint (docs/injector.md
// "Metrics"; plan metricsPort, sidecar `run` only). Plain HTTP on all
// addresses so Prometheus can scrape the pod: GET (or HEAD) /metrics renders
// the HealthRegistry at the time of the request (runtime/health_metrics.h);
// any other path is 404, any other method 405. Nothing is fetched for a
// scrape and nothing polls: the server's threads sleep until a connection
// arrives. Connections are bounded (kMetricsMaxConnections) and slow clients
// cut by the server's deadlines (memsecret/http/http_server.h).
//
// Thread-safety: the handler runs on the server's loop thread and reads the
// registry through its mutex; Start/destruction on the command's thread.
#pragma once

#include <memory>

#include "injector/runtime/health_registry.h"
#include "memsecret/clock.h"
#include "memsecret/http/http_server.h"
#include "memsecret/status.h"

namespace memsecret::injector {

inline constexpr size_t kMetricsMaxConnections = 8;

// The answer to one request, pure but for the registry's snapshot.
http::HttpResponse ServeMetrics(const http::HttpRequestView& request, const HealthRegistry& health,
                                WallTime now);

class MetricsEndpoint {
 public:
  // Binds 0.0.0.0:`port` (0: a free port, tests) and serves on its own
  // thread until destroyed. Errors name the port. `health` and `clock` must
  // outlive the endpoint.
  static Result<std::unique_ptr<MetricsEndpoint>> Start(int port, const HealthRegistry& health,
                                                        const Clock& clock);
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  int port() const { return server_->port(); }
  // Open connections now (tests: the bound).
  int64_t open_connections() const { return server_->counters().open.load(); }

 private:
  explicit MetricsEndpoint(std::unique_ptr<http::HttpServer> server) : server_(std::move(server)) {}

  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace memsecret::injector
