#include "injector/runtime/health_registry.h"

namespace memsecret::injector {

FileHealth* HealthRegistry::Find(std::string_view file) {
  for (FileHealth& f : files_)
    if (f.file == file) return &f;
  return nullptr;
}

void HealthRegistry::Declare(const PlannedFile& file) {
  FileHealth h;
  h.file = file.name;
  h.kind = file.kind;
  h.ref = file.ref.ToString();
  h.max_age = std::chrono::seconds(file.rotation_max_age_seconds);
  std::lock_guard<std::mutex> lock(mu_);
  if (FileHealth* existing = Find(file.name))
    *existing = std::move(h);
  else
    files_.push_back(std::move(h));
}

void HealthRegistry::RecordSuccess(std::string_view file, std::string_view version,
                                   std::optional<WallTime> created, WallTime now,
                                   std::optional<WallTime> token_expiry) {
  std::lock_guard<std::mutex> lock(mu_);
  FileHealth* f = Find(file);
  if (f == nullptr) return;
  f->version = std::string(version);
  f->version_created = created;
  f->last_success = now;
  if (token_expiry) f->token_expiry = token_expiry;
}

void HealthRegistry::RecordClientId(std::string_view file, std::string_view client_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (FileHealth* f = Find(file)) f->client_id = std::string(client_id);
}

void HealthRegistry::RecordFailure(std::string_view file, Code reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (FileHealth* f = Find(file)) ++f->failures[CodeName(reason)];
}

std::vector<FileHealth> HealthRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_;
}

}  // namespace memsecret::injector
