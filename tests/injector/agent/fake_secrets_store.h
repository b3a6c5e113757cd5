// FakeSecretsStore: a SecretProvider holding versions of aws: secrets as
// Secrets Manager does (each version an id, a value and its stages), chosen
// as GetSecretValue chooses (versionId, else the stage, else AWSCURRENT;
// both must agree). A scripted failure answers every fetch while set; a gate
// can hold fetches in flight. Counts calls. Thread-safe.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "injector/providers/secret_provider.h"

namespace memsecret::injector::agent {

inline constexpr const char* kFakeArnPrefix =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

class FakeSecretsStore final : public SecretProvider {
 public:
  struct Version {
    std::string id, value;
    std::vector<std::string> stages;
  };
  void Put(const std::string& name, std::vector<Version> versions) {
    std::lock_guard<std::mutex> lock(mu_);
    secrets_[name] = std::move(versions);
  }
  void Delete(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    secrets_.erase(name);
  }
  void Fail(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::move(status);
  }
  // While held, fetches wait inside the store (counted once they entered).
  void Hold(bool held) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = held;
    cv_.notify_all();
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

  FetchResult Fetch(const SecretRef& ref, const FetchOptions& options) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !held_; });
    if (!failure_.ok()) return FetchResult::Failure(failure_);
    auto it = secrets_.find(ref.path);
    if (it == secrets_.end())
      return FetchResult::Failure(NotFound("ResourceNotFoundException: " + ref.path));
    const std::string stage = options.stage.value_or(options.version ? "" : "AWSCURRENT");
    for (const Version& v : it->second) {
      if (options.version && v.id != *options.version) continue;
      if (!stage.empty() && std::find(v.stages.begin(), v.stages.end(), stage) == v.stages.end())
        continue;
      FetchedSecret f;
      f.value = SecretValue(v.value);
      f.version = v.id;
      f.created = WallTime(std::chrono::seconds(1700000000));
      f.metadata = SecretMetadata{kFakeArnPrefix + ref.path + "-AbCdEf", ref.path, v.stages, false};
      return FetchResult::Success(std::move(f));
    }
    return FetchResult::Failure(NotFound("ResourceNotFoundException: no such version"));
  }

  // Waits until `n` fetches have entered the store.
  void AwaitCalls(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
  }

 private:
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::map<std::string, std::vector<Version>> secrets_;
  Status failure_;
  bool held_ = false;
  int calls_ = 0;
};

}  // namespace memsecret::injector::agent
