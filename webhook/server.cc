#include "webhook/server.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

#include "memsecret/http/http_response.h"
#include "memsecret/log.h"
#include "memsecret/prometheus_text.h"

namespace memsecret::webhook {
namespace {

constexpr std::string_view kGetMethods = "GET, HEAD";

bool IsDenialLike(AdmitOutcome o) {
  return o == AdmitOutcome::kDenied || o == AdmitOutcome::kBadRequest;
}

// A pod can carry thousands of problems (one per near-miss key on /check):
// the line names the first few, each cut as the response's message cuts it,
// and counts them all, so one request cannot write megabytes of log.
constexpr size_t kMaxLoggedProblems = 10;
constexpr size_t kMaxLoggedProblemChars = 300;

// One line per admission: identifiers from the request, the decision and
// the problems found (reasons and references, never secret values).
void LogAdmission(const AdmitAnswer& a, Metrics::Entry entry, std::chrono::nanoseconds latency) {
  const bool check = entry == Metrics::Entry::kCheck;
  const spdlog::level::level_enum level = IsDenialLike(a.outcome) ? spdlog::level::warn
                                          : check                 ? spdlog::level::debug
                                                                  : spdlog::level::info;
  if (!spdlog::should_log(level)) return;
  std::string problems = "[";
  for (size_t i = 0; i < a.problems.size() && i < kMaxLoggedProblems; ++i) {
    if (i > 0) problems += ",";
    std::string_view p = a.problems[i];
    problems += "\"" + JsonEscape(p.substr(0, kMaxLoggedProblemChars)) +
                (p.size() > kMaxLoggedProblemChars ? "..." : "") + "\"";
  }
  problems += "]";
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  LogEvent(level, check ? "opt_in_check" : "admission",
           {{"uid", a.uid},
            {"namespace", a.namespace_name},
            {"outcome", AdmitOutcomeName(a.outcome)},
            {"status", int64_t{a.http_status}},
            {"files", static_cast<int64_t>(a.files)},
            {"latency_ms", ms},
            {"problem_count", static_cast<int64_t>(a.problems.size())},
            LogField::Raw("problems", problems)});
}

}  // namespace

WebhookServer::WebhookServer(ServerOptions options, const http::CertificateStore& certs,
                             Metrics& metrics, AdmitHandler handler, AdmitHandler check_handler)
    : options_(std::move(options)),
      certs_(certs),
      metrics_(metrics),
      handler_(std::move(handler)),
      check_handler_(std::move(check_handler)) {}

WebhookServer::~WebhookServer() { Stop(); }

Status WebhookServer::Bind() {
  tls_.reset(SSL_CTX_new(TLS_server_method()));
  if (!tls_ || !http::ConfigureServerTls(*tls_, &certs_)) {
    return Internal("tls: cannot configure the server context: " + http::TakeOpenSslError());
  }
  // Idle connections give their TLS buffers back; read-ahead takes several
  // records per read(); writes report progress record by record and may
  // resume from a moved buffer (the pending output string can grow).
  SSL_CTX_set_mode(tls_.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(tls_.get(), 1);
  auto server = std::make_unique<http::HttpServer>(
      "webhook", options_, tls_.get(),
      [this](const http::HttpRequestView& request) { return Route(request); },
      [this](int status) { metrics_.RecordHttpRejection(status); });
  if (Status s = server->Bind(); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(stop_mu_);
  http_ = std::move(server);
  if (stop_requested_) http_->Stop();
  return Status::Ok();
}

http::HttpResponse WebhookServer::Route(const http::HttpRequestView& request) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  const auto method_not_allowed = [this](std::string_view allow) {
    metrics_.RecordHttpRejection(405);
    http::HttpResponse r = http::TextResponse(405, "method not allowed");
    r.allow = allow;
    return r;
  };
  if (request.path == "/mutate") {
    return request.method == "POST" ? Decide(handler_, Metrics::Entry::kInject, request.body)
                                    : method_not_allowed("POST");
  }
  if (request.path == "/check") {
    return request.method == "POST" ? Decide(check_handler_, Metrics::Entry::kCheck, request.body)
                                    : method_not_allowed("POST");
  }
  if (request.path == "/healthz") {
    return get ? http::TextResponse(200, "ok") : method_not_allowed(kGetMethods);
  }
  if (request.path == "/readyz") {
    if (!get) return method_not_allowed(kGetMethods);
    return draining_.load() ? http::TextResponse(503, "shutting down")
                            : http::TextResponse(200, "ok");
  }
  if (request.path == "/metrics") {
    if (!get) return method_not_allowed(kGetMethods);
    http::HttpResponse r;
    r.content_type = prometheus::kContentType;
    r.body = RenderMetrics();
    return r;
  }
  metrics_.RecordHttpRejection(404);
  return http::TextResponse(404, "not found");
}

http::HttpResponse WebhookServer::Decide(const AdmitHandler& handler, Metrics::Entry entry,
                                         std::string_view body) {
  const auto start = std::chrono::steady_clock::now();
  AdmitAnswer answer;
  try {
    answer = handler(body);
  } catch (const std::exception& e) {
    spdlog::error("admission handler failed: {}", e.what());
    return http::TextResponse(500, "internal error");
  }
  const auto latency = std::chrono::steady_clock::now() - start;
  metrics_.RecordAdmission(answer.outcome, latency, entry);
  LogAdmission(answer, entry, latency);
  http::HttpResponse r;
  r.status = answer.http_status;
  r.content_type = answer.http_status == 200 ? http::kContentTypeJson : http::kContentTypeText;
  r.body = std::move(answer.body);
  return r;
}

// The registry plus what only the server knows: its connections.
std::string WebhookServer::RenderMetrics() const {
  std::string out = metrics_.RenderPrometheus();
  const http::ConnectionCounters& c = http_->counters();
  const auto value = [](const auto& counter) { return std::to_string(counter.load()); };
  prometheus::AppendHeader(out, "memsecret_webhook_connections_open", "gauge",
                           "TLS connections open now.");
  out.append("memsecret_webhook_connections_open ").append(value(c.open)).append("\n");
  prometheus::AppendHeader(out, "memsecret_webhook_connections_refused_total", "counter",
                           "Connections closed at accept because max_connections were open.");
  out.append("memsecret_webhook_connections_refused_total ").append(value(c.refused)).append("\n");
  prometheus::AppendHeader(out, "memsecret_webhook_connection_timeouts_total", "counter",
                           "Connections cut by a server deadline, by phase.");
  const std::pair<const char*, const std::atomic<uint64_t>*> phases[] = {
      {"handshake", &c.handshake_timeouts},
      {"request", &c.request_timeouts},
      {"write", &c.write_timeouts}};
  for (const auto& [phase, counter] : phases) {
    out.append("memsecret_webhook_connection_timeouts_total{phase=\"")
        .append(phase)
        .append("\"} ")
        .append(value(*counter))
        .append("\n");
  }
  return out;
}

void WebhookServer::Run() {
  if (http_ != nullptr) http_->Run();
}

void WebhookServer::Drain() {
  if (!draining_.exchange(true)) spdlog::info("draining: /readyz now answers 503");
}

void WebhookServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stop_requested_ = true;
  if (http_ != nullptr) http_->Stop();
}

}  // namespace memsecret::webhook
