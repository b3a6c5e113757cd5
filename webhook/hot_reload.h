// Hot reload: connects a FileWatcher to the snapshots the server reads.
// When watched files change, the new content is loaded and validated in full
// before it replaces the snapshot; a file that fails keeps the current
// snapshot serving. Every attempt is counted in Metrics and logged (reasons
// and certificate identity only — never key material or config values).
#pragma once

#include <functional>
#include <string>

#include "memsecret/http/tls_context.h"
#include "memsecret/snapshot.h"
#include "memsecret/status.h"
#include "webhook/config/config.h"
#include "webhook/config/file_watcher.h"
#include "webhook/metrics.h"

namespace memsecret::webhook {

using ConfigSnapshot = Snapshot<Config>;
using ConfigLoader = std::function<Result<Config>(const std::string& path)>;

// Reloads `store` from `cert_path` + `key_path` whenever either changes.
// `store` and `metrics` must outlive `watcher`'s polling.
void WatchCertificate(FileWatcher& watcher, const std::string& cert_path,
                      const std::string& key_path, http::CertificateStore& store, Metrics& metrics);

// Reloads `store` from `path` with `loader` (LoadConfigFile in production)
// whenever the file changes. Same lifetime rule as above.
void WatchConfig(FileWatcher& watcher, const std::string& path, ConfigLoader loader,
                 ConfigSnapshot& store, Metrics& metrics);

// One reload attempt each, as the watcher runs them; exposed for main's
// start-up path and for tests. Return the load error, if any.
Status ReloadCertificate(const std::string& cert_path, const std::string& key_path,
                         http::CertificateStore& store, Metrics& metrics);
Status ReloadConfig(const std::string& path, const ConfigLoader& loader, ConfigSnapshot& store,
                    Metrics& metrics);

}  // namespace memsecret::webhook
