#include "injector/agent/secret_cache.h"

#include <algorithm>

#include "injector/providers/aws/aws_spec.h"

namespace memsecret::injector::agent {

namespace {

constexpr const char* kCurrent = "AWSCURRENT";
constexpr std::chrono::seconds kMinMaxAge{300};

// The version a fetch asked for, as GetSecretValue reads it: a version id
// wins over a stage; neither means AWSCURRENT. Overrides replace the ref's query.
std::string StageKey(std::string_view stage) { return "stage:" + std::string(stage); }
std::string Selector(const SecretRef& ref, const FetchOptions& options) {
  const std::optional<std::string> version =
      options.stage || options.version ? options.version : ref.Query("version");
  const std::optional<std::string> stage =
      options.stage || options.version ? options.stage : ref.Query("stage");
  if (version) return "version:" + *version;
  return StageKey(stage.value_or(kCurrent));
}

bool HasStage(const CachedSecret& s, std::string_view stage) {
  return std::find(s.version_stages.begin(), s.version_stages.end(), stage) !=
         s.version_stages.end();
}

}  // namespace

CachedSecret ToCachedSecret(const FetchedSecret& secret, WallTime at) {
  CachedSecret out;
  out.arn = secret.metadata.id;
  out.name = secret.metadata.name;
  out.version_stages = secret.metadata.labels;
  out.binary = secret.metadata.binary;
  out.version_id = secret.version;
  out.created = secret.created;
  out.value = secret.value;
  out.fetched_at = at;
  return out;
}

std::vector<SecretRef> AgentSecretCache::DeclaredSecrets(const InjectionPlan& plan) {
  std::vector<SecretRef> out;
  for (const PlannedFile& f : plan.files) {
    if (f.kind != FileKind::kSecret || f.ref.provider != kAwsBackend) continue;
    SecretRef ref;
    ref.provider = f.ref.provider;
    ref.path = f.ref.path;
    ref.query = f.ref.query;  // #field dropped: the endpoint serves whole secrets
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

std::chrono::seconds AgentSecretCache::MaxAge(std::chrono::seconds refresh_interval) {
  return std::max(3 * refresh_interval, kMinMaxAge);
}

AgentSecretCache::AgentSecretCache(std::vector<SecretRef> declared, const Clock* clock,
                                   std::chrono::seconds refresh_interval)
    : clock_(clock),
      max_age_(MaxAge(refresh_interval)),
      on_demand_ttl_(refresh_interval > std::chrono::seconds(0) ? refresh_interval : kMinMaxAge) {
  for (const SecretRef& ref : declared) {
    if (ref.provider != kAwsBackend) continue;
    Slot* slot = FindSlot(ref.path);
    if (slot == nullptr) {
      slots_.push_back({ref.path, {}, {}});
      slot = &slots_.back();
    }
    slot->refreshed.insert(Selector(ref, {}));
  }
}

AgentSecretCache::Slot* AgentSecretCache::FindSlot(std::string_view path) {
  for (Slot& slot : slots_)
    if (slot.path == path) return &slot;
  return nullptr;
}

const AgentSecretCache::Slot* AgentSecretCache::ResolveLocked(std::string_view secret_id) const {
  if (secret_id.empty()) return nullptr;
  for (const Slot& slot : slots_)
    if (slot.path == secret_id) return &slot;
  for (const Slot& slot : slots_)
    for (const auto& [selector, entry] : slot.entries)
      if (entry->arn == secret_id || entry->name == secret_id) return &slot;
  return nullptr;
}

std::optional<SecretRef> AgentSecretCache::Resolve(std::string_view secret_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Slot* slot = ResolveLocked(secret_id);
  if (slot == nullptr) return std::nullopt;
  SecretRef ref;
  ref.provider = kAwsBackend;
  ref.path = slot->path;
  return ref;
}

void AgentSecretCache::Store(const SecretRef& ref, const FetchOptions& options,
                             const FetchedSecret& secret) {
  if (ref.provider != kAwsBackend) return;
  auto entry = std::make_shared<const CachedSecret>(ToCachedSecret(secret, clock_->Now()));
  const std::string selector = Selector(ref, options);
  std::lock_guard<std::mutex> lock(mu_);
  if (Slot* slot = FindSlot(ref.path)) slot->entries[selector] = std::move(entry);
}

void AgentSecretCache::RecordFailure(const SecretRef& ref, const FetchOptions& options,
                                     const Status& status) {
  if (ref.provider != kAwsBackend) return;
  const std::string selector = Selector(ref, options);
  std::lock_guard<std::mutex> lock(mu_);
  Slot* slot = FindSlot(ref.path);
  if (slot == nullptr) return;
  const bool forbidden =
      status.code() == Code::kPermissionDenied || status.code() == Code::kFailedPrecondition;
  if (forbidden || (status.code() == Code::kNotFound && selector == StageKey(kCurrent))) {
    slot->entries.clear();
  } else if (status.code() == Code::kNotFound) {
    slot->entries.erase(selector);
  }
}

AgentSecretCache::Lookup AgentSecretCache::Find(
    std::string_view secret_id, const std::optional<std::string>& version_id,
    const std::optional<std::string>& version_stage) const {
  const WallTime now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  const Slot* slot = ResolveLocked(secret_id);
  if (slot == nullptr) return {nullptr, Miss::kUndeclared, false};

  std::string selector;
  std::shared_ptr<const CachedSecret> found;
  if (version_id) {
    // A version's content never changes: any entry holding it will do.
    for (const auto& [key, entry] : slot->entries) {
      if (entry->version_id != *version_id) continue;
      if (version_stage && !HasStage(*entry, *version_stage)) continue;
      if (found == nullptr || entry->fetched_at > found->fetched_at) {
        found = entry;
        selector = key;
      }
    }
  } else {
    selector = StageKey(version_stage.value_or(kCurrent));
    if (auto it = slot->entries.find(selector); it != slot->entries.end()) found = it->second;
  }
  if (found == nullptr) return {nullptr, Miss::kNotCached, false};
  const auto age = now - found->fetched_at;
  if (age >= max_age_) return {nullptr, Miss::kExpired, false};
  const bool refreshed_by_jobs = slot->refreshed.count(selector) != 0;
  return {found, Miss::kNone, !refreshed_by_jobs && age >= on_demand_ttl_};
}

}  // namespace memsecret::injector::agent
