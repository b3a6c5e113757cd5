// memsecret-webhook: `serve` runs the HTTPS admission webhook, `render`
// applies the same mutation offline. Wiring only; behaviour lives in the
// libraries (server.h, hot_reload.h, admission_review.h, render.h).
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "memsecret/http/tls_context.h"
#include "memsecret/log.h"
#include "webhook/admission/admission_review.h"
#include "webhook/command_line.h"
#include "webhook/config/config.h"
#include "webhook/config/file_watcher.h"
#include "webhook/hot_reload.h"
#include "webhook/metrics.h"
#include "webhook/render.h"
#include "webhook/server.h"

namespace memsecret::webhook {
namespace {

// Kubelet propagates ConfigMap/Secret updates within about a minute; a 1 s
// poll of three stat() calls adds little to that and costs nothing.
constexpr std::chrono::milliseconds kWatchInterval{1000};

int UsageError(const std::string& command, const Status& status) {
  std::cerr << "memsecret-webhook " << command << ": " << status.message() << "\n" << Usage();
  return 2;
}

int RunServe(const std::vector<std::string>& args) {
  Result<ServeFlags> flags = ParseServeFlags(args);
  if (!flags.ok()) return UsageError("serve", flags.status());
  // One info line per admission: batched writes (see LogWrites).
  InitJsonLogging("webhook", flags->log_level, LogWrites::kBatched);

  // SIGTERM/SIGINT are blocked in every thread (threads inherit the mask) and
  // taken by one waiting thread; SIGPIPE from a peer that hung up is ignored.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Result<Config> config =
      flags->config_path.empty() ? Result<Config>(Config{}) : LoadConfigFile(flags->config_path);
  if (!config.ok()) {
    spdlog::critical("start-up: config: {}", config.status().message());
    return 1;
  }
  auto bundle = http::LoadCertificateBundle(flags->tls_cert, flags->tls_key);
  if (!bundle.ok()) {
    spdlog::critical("start-up: {}", bundle.status().message());
    return 1;
  }
  spdlog::info("serving certificate subject \"{}\" serial {}", JsonEscape((*bundle)->subject),
               (*bundle)->serial_hex);

  Metrics metrics;
  metrics.SetCertificateNotAfter((*bundle)->not_after);
  http::CertificateStore certs(*bundle);
  ConfigSnapshot config_store(std::make_shared<const Config>(std::move(config).value()));

  FileWatcher watcher(kWatchInterval);
  WatchCertificate(watcher, flags->tls_cert, flags->tls_key, certs, metrics);
  if (!flags->config_path.empty()) {
    WatchConfig(watcher, flags->config_path, LoadConfigFile, config_store, metrics);
  }

  ServerOptions options;
  options.host = flags->listen.host;
  options.port = flags->listen.port;
  WebhookServer server(options, certs, metrics, [&config_store](std::string_view body) {
    const std::shared_ptr<const Config> current = config_store.Get();
    return Admit(body, *current);
  });
  if (Status s = server.Bind(); !s.ok()) {
    spdlog::critical("start-up: {}", s.message());
    return 1;
  }
  // The bound port, also when --listen asked for port 0 (the e2e tests do).
  spdlog::info("listening on {}:{}", options.host, server.port());

  std::atomic<bool> signalled{false};
  std::atomic<bool> listener_failed{false};
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&shutdown_signals, &sig);
    if (listener_failed) return;  // woken by main below, not by a real signal
    signalled = true;
    spdlog::info("received {}: draining for {}s, then stopping",
                 sig == SIGINT ? "SIGINT" : "SIGTERM", flags->shutdown_delay.count());
    server.Drain();
    if (flags->shutdown_delay.count() > 0) {
      const timespec delay{static_cast<time_t>(flags->shutdown_delay.count()), 0};
      if (sigtimedwait(&shutdown_signals, nullptr, &delay) > 0) {
        spdlog::info("second signal: stopping now");
      }
    }
    server.Stop();
  });
  watcher.Start();
  server.Run();
  watcher.Stop();
  if (!signalled) {
    listener_failed = true;
    pthread_kill(signal_waiter.native_handle(), SIGTERM);  // wake the waiter
    signal_waiter.join();
    spdlog::critical("listener stopped unexpectedly");
    return 1;
  }
  signal_waiter.join();
  spdlog::info("shutdown complete");
  return 0;
}

int RunRender(const std::vector<std::string>& args) {
  Result<RenderFlags> flags = ParseRenderFlags(args);
  if (!flags.ok()) return UsageError("render", flags.status());

  Result<Config> config =
      flags->config_path.empty() ? Result<Config>(Config{}) : LoadConfigFile(flags->config_path);
  if (!config.ok()) {
    std::cerr << "memsecret-webhook render: " << config.status().message() << "\n";
    return 2;
  }
  RenderOptions options;
  options.namespace_name = flags->namespace_name;
  std::ostringstream text;
  if (flags->file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(flags->file, std::ios::binary);
    if (!in) {
      std::cerr << "memsecret-webhook render: cannot open " << flags->file << ": "
                << std::strerror(errno) << "\n";
      return 2;
    }
    text << in.rdbuf();
  }
  options.manifest_yaml = text.str();
  return Render(options, *config, std::cout, std::cerr);
}

}  // namespace
}  // namespace memsecret::webhook

int main(int argc, char** argv) {
  using namespace memsecret::webhook;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << Usage();
    return 2;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  const auto is_help = [](const std::string& a) {
    return a == "-h" || a == "--help" || a == "help";
  };
  if (is_help(command) || std::any_of(args.begin(), args.end(), is_help)) {
    std::cout << CommandHelp(command);
    return 0;
  }
  if (command == "--version" || command == "version") {
    std::cout << "memsecret-webhook " << MEMSECRET_VERSION << "\n";
    return 0;
  }
  if (command == "serve") {
    const int rc = RunServe(args);
    memsecret::FlushLogs();  // batched info lines (LogWrites::kBatched)
    return rc;
  }
  if (command == "render") return RunRender(args);
  std::cerr << "memsecret-webhook: unknown command \"" << command << "\"\n" << Usage();
  return 2;
}
