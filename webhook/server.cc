#include "webhook/server.h"

#include <httplib.h>
#include <openssl/err.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include "memsecret/log.h"

namespace memsecret::webhook {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";
constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

// Known paths and the one method each accepts.
struct Route {
  const char* path;
  const char* method;
};
constexpr Route kRoutes[] = {
    {"/mutate", "POST"}, {"/healthz", "GET"}, {"/readyz", "GET"}, {"/metrics", "GET"}};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 500:
      return "internal error";
    default:
      return "request refused";
  }
}

bool IsDenialLike(AdmitOutcome o) {
  return o == AdmitOutcome::kDenied || o == AdmitOutcome::kBadRequest;
}

// One line per admission: identifiers from the request, the decision and
// the problems found (reasons and references, never secret values).
void LogAdmission(const AdmitAnswer& a, std::chrono::nanoseconds latency) {
  std::string problems = "[";
  for (size_t i = 0; i < a.problems.size(); ++i) {
    if (i > 0) problems += ",";
    problems += "\"" + JsonEscape(a.problems[i]) + "\"";
  }
  problems += "]";
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  LogEvent(IsDenialLike(a.outcome) ? spdlog::level::warn : spdlog::level::info, "admission",
           {{"uid", a.uid},
            {"namespace", a.namespace_name},
            {"outcome", AdmitOutcomeName(a.outcome)},
            {"status", int64_t{a.http_status}},
            {"files", static_cast<int64_t>(a.files)},
            {"latency_ms", ms},
            LogField::Raw("problems", problems)});
}

}  // namespace

WebhookServer::WebhookServer(ServerOptions options, const CertificateStore& certs, Metrics& metrics,
                             AdmitHandler handler)
    : options_(std::move(options)),
      certs_(certs),
      metrics_(metrics),
      handler_(std::move(handler)) {}

WebhookServer::~WebhookServer() { Stop(); }

Status WebhookServer::Bind() {
  const CertificateStore* store = &certs_;
  http_ = std::make_unique<httplib::SSLServer>(
      [store](SSL_CTX& ctx) { return ConfigureServerTls(ctx, store); });
  if (!http_->is_valid()) {
    char err[256];
    ERR_error_string_n(ERR_get_error(), err, sizeof err);
    return Internal(std::string("tls: cannot configure the server context: ") + err);
  }
  const size_t threads = options_.worker_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_keep_alive_max_count(options_.keep_alive_max_requests);
  http_->set_keep_alive_timeout(options_.keep_alive_timeout.count());
  http_->set_read_timeout(options_.read_timeout.count());
  http_->set_write_timeout(options_.write_timeout.count());
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_tcp_nodelay(true);
  InstallRoutes();

  errno = 0;
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    const int saved = errno;
    port_ = 0;
    return Unavailable("listen " + options_.host + ":" + std::to_string(options_.port) +
                       ": cannot bind" +
                       (saved != 0 ? std::string(": ") + std::strerror(saved) : ""));
  }
  spdlog::info("listening on https://{}:{}", options_.host, port_);
  return Status::Ok();
}

void WebhookServer::InstallRoutes() {
  http_->Post("/mutate", [this](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    AdmitAnswer answer;
    try {
      answer = handler_(req.body);
    } catch (const std::exception& e) {
      spdlog::error("admission handler failed: {}", e.what());
      res.status = 500;
      res.set_content("internal error\n", kText);
      return;
    }
    const auto latency = std::chrono::steady_clock::now() - start;
    metrics_.RecordAdmission(answer.outcome, latency);
    LogAdmission(answer, latency);
    res.status = answer.http_status;
    res.set_content(answer.body, answer.http_status == 200 ? kJson : kText);
  });
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", kText);
  });
  http_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (draining_.load()) {
      res.status = 503;
      res.set_content("shutting down\n", kText);
    } else {
      res.set_content("ok\n", kText);
    }
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.RenderPrometheus(), kPrometheusText);
  });

  // Every other method on a known path: 405 naming the allowed one. (Get
  // also answers HEAD.) Registered per method so httplib still reads the
  // request body and keeps the connection usable.
  using Registrar =
      httplib::Server& (httplib::Server::*)(const std::string&, httplib::Server::Handler);
  const std::pair<const char*, Registrar> methods[] = {
      {"GET", &httplib::Server::Get},       {"POST", &httplib::Server::Post},
      {"PUT", &httplib::Server::Put},       {"PATCH", &httplib::Server::Patch},
      {"DELETE", &httplib::Server::Delete}, {"OPTIONS", &httplib::Server::Options}};
  for (const Route& route : kRoutes) {
    for (const auto& [method, registrar] : methods) {
      if (std::strcmp(method, route.method) == 0) continue;
      const std::string allow = route.method;
      (http_.get()->*registrar)(route.path,
                                [this, allow](const httplib::Request&, httplib::Response& res) {
                                  metrics_.RecordHttpRejection(405);
                                  res.status = 405;
                                  res.set_header("Allow", allow);
                                  res.set_content("method not allowed\n", kText);
                                });
    }
  }

  // Responses httplib produced itself (unknown path, body over the limit,
  // unparsable request) get a short text body and are counted.
  http_->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own answer (e.g. Admit's 400)
    metrics_.RecordHttpRejection(res.status);
    res.set_content(std::string(ReasonPhrase(res.status)) + "\n", kText);
  });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          spdlog::error("request handler failed: {}", e.what());
        } catch (...) {
          spdlog::error("request handler failed with a non-standard exception");
        }
        res.status = 500;
        res.set_content("internal error\n", kText);
      });
}

void WebhookServer::Run() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    if (stop_requested_ || !http_) {
      run_state_ = RunState::kFinished;
      return;
    }
    run_state_ = RunState::kRunning;
  }
  http_->listen_after_bind();
  spdlog::info("listener closed, in-flight requests finished");
  std::lock_guard<std::mutex> lock(run_mu_);
  run_state_ = RunState::kFinished;
}

void WebhookServer::Drain() {
  if (!draining_.exchange(true)) spdlog::info("draining: /readyz now answers 503");
}

void WebhookServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    if (stop_requested_) return;
    stop_requested_ = true;
    if (run_state_ != RunState::kRunning) return;  // Run() will see the flag or is done
  }
  // Run() is inside, or about to enter, httplib's accept loop. httplib's
  // stop() does nothing until that loop has started and offers no way to
  // await it, so poll briefly for either the loop or Run()'s end.
  for (;;) {
    if (http_->is_running()) {
      http_->stop();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(run_mu_);
      if (run_state_ == RunState::kFinished) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace memsecret::webhook
