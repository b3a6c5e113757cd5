#include "webhook/hot_reload.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <utility>

#include "memsecret/log.h"

namespace memsecret::webhook {
namespace {

int64_t UnixSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Status ReloadCertificate(const std::string& cert_path, const std::string& key_path,
                         http::CertificateStore& store, Metrics& metrics) {
  auto bundle = http::LoadCertificateBundle(cert_path, key_path);
  if (!bundle.ok()) {
    metrics.RecordCertificateReload(Metrics::ReloadResult::kFailure);
    spdlog::error("certificate reload failed, still serving serial {}: {}", store.Get()->serial_hex,
                  bundle.status().message());
    return bundle.status();
  }
  const auto& next = *bundle;
  spdlog::info("certificate reloaded: subject \"{}\" serial {} not_after {}",
               JsonEscape(next->subject), next->serial_hex, UnixSeconds(next->not_after));
  metrics.SetCertificateNotAfter(next->not_after);
  store.Set(next);
  metrics.RecordCertificateReload(Metrics::ReloadResult::kSuccess);
  return Status::Ok();
}

Status ReloadConfig(const std::string& path, const ConfigLoader& loader, ConfigSnapshot& store,
                    Metrics& metrics) {
  Result<Config> config = loader(path);
  if (!config.ok()) {
    metrics.RecordConfigReload(Metrics::ReloadResult::kFailure);
    spdlog::error("config reload failed, keeping the previous config: {}",
                  config.status().message());
    return config.status();
  }
  store.Set(std::make_shared<const Config>(std::move(config).value()));
  metrics.RecordConfigReload(Metrics::ReloadResult::kSuccess);
  spdlog::info("config reloaded from {}", path);
  return Status::Ok();
}

void WatchCertificate(FileWatcher& watcher, const std::string& cert_path,
                      const std::string& key_path, http::CertificateStore& store,
                      Metrics& metrics) {
  watcher.Watch({cert_path, key_path}, [cert_path, key_path, &store, &metrics] {
    (void)ReloadCertificate(cert_path, key_path, store, metrics);
  });
}

void WatchConfig(FileWatcher& watcher, const std::string& path, ConfigLoader loader,
                 ConfigSnapshot& store, Metrics& metrics) {
  watcher.Watch({path}, [path, loader = std::move(loader), &store, &metrics] {
    (void)ReloadConfig(path, loader, store, metrics);
  });
}

}  // namespace memsecret::webhook
