#include "injector/metrics_endpoint.h"

#include "injector/runtime/health_metrics.h"
#include "memsecret/prometheus_text.h"

namespace memsecret::injector {

http::HttpResponse ServeMetrics(const http::HttpRequestView& request, const HealthRegistry& health,
                                WallTime now) {
  if (request.path != "/metrics") return http::TextResponse(404, "not found (try /metrics)");
  if (request.method != "GET" && request.method != "HEAD") {
    http::HttpResponse r = http::TextResponse(405, "only GET /metrics");
    r.allow = "GET, HEAD";
    return r;
  }
  http::HttpResponse r;
  r.content_type = prometheus::kContentType;
  r.body = RenderHealthMetrics(health.Snapshot(), now);
  return r;
}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(int port,
                                                                const HealthRegistry& health,
                                                                const Clock& clock) {
  http::ServerOptions options;
  options.host = "0.0.0.0";
  options.port = port;
  options.event_loops = 1;
  options.max_connections = kMetricsMaxConnections;
  options.max_body_bytes = 0;  // GET only
  options.max_header_bytes = 8 * 1024;
  options.request_timeout = std::chrono::seconds(5);
  auto server = std::make_unique<http::HttpServer>(
      "metrics", options, nullptr, [&health, &clock](const http::HttpRequestView& request) {
        return ServeMetrics(request, health, clock.Now());
      });
  if (Status st = server->Start(); !st.ok()) return st.WithContext("metrics endpoint");
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(server)));
}

}  // namespace memsecret::injector
