#include "injector/agent/secret_cache.h"

#include <algorithm>

namespace memsecret::injector::agent {

namespace {

SecretRef WithoutField(SecretRef ref) {
  ref.field.reset();
  return ref;
}

bool HasStage(const CachedSecret& s, std::string_view stage) {
  return std::find(s.version_stages.begin(), s.version_stages.end(), stage) !=
         s.version_stages.end();
}

}  // namespace

std::vector<SecretRef> AgentSecretCache::DeclaredSecrets(const InjectionPlan& plan) {
  std::vector<SecretRef> out;
  for (const PlannedFile& f : plan.files) {
    if (f.kind != FileKind::kSecret || f.ref.provider != Provider::kAws) continue;
    SecretRef ref = WithoutField(f.ref);
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

// Fields cleared in place: moving each ref through WithoutField() here made
// g++ 12 report -Wmaybe-uninitialized on the cleared optional.
AgentSecretCache::AgentSecretCache(std::vector<SecretRef> declared) : slots_(declared.size()) {
  for (size_t i = 0; i < declared.size(); ++i) {
    slots_[i].ref = std::move(declared[i]);
    slots_[i].ref.field.reset();
  }
}

void AgentSecretCache::Store(const SecretRef& ref, const FetchOptions& options,
                             const FetchedSecret& secret) {
  if (ref.provider != Provider::kAws || options.stage || options.version) return;
  const SecretRef key = WithoutField(ref);
  auto entry = std::make_shared<CachedSecret>();
  if (secret.aws) {
    entry->arn = secret.aws->arn;
    entry->name = secret.aws->name;
    entry->version_stages = secret.aws->version_stages;
    entry->binary = secret.aws->binary;
  }
  entry->version_id = secret.version;
  entry->created = secret.created;
  entry->value = secret.value;
  std::lock_guard<std::mutex> lock(mu_);
  for (Slot& slot : slots_)
    if (slot.ref == key) slot.cached = entry;
}

AgentSecretCache::Lookup AgentSecretCache::Find(
    std::string_view secret_id, const std::optional<std::string>& version_id,
    const std::optional<std::string>& version_stage) const {
  const std::optional<std::string> stage =
      version_stage ? version_stage
                    : (version_id ? std::nullopt : std::optional<std::string>("AWSCURRENT"));
  Lookup out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Slot& slot : slots_) {
    const CachedSecret* c = slot.cached.get();
    const bool named =
        slot.ref.path == secret_id ||
        (c != nullptr && !secret_id.empty() && (c->arn == secret_id || c->name == secret_id));
    if (!named) continue;
    if (c == nullptr) {
      if (out.miss == Miss::kUndeclared) out.miss = Miss::kNotCached;
      continue;
    }
    if ((version_id && c->version_id != *version_id) || (stage && !HasStage(*c, *stage))) {
      out.miss = Miss::kNoSuchVersion;
      continue;
    }
    return {slot.cached, Miss::kNone};
  }
  return out;
}

}  // namespace memsecret::injector::agent
