// Environment: process environment variables as an injected effect, so
// credential discovery (AWS_ROLE_ARN, AWS_CONTAINER_CREDENTIALS_FULL_URI, ...)
// is tested without touching the real environment.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace memsecret::injector {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset. An empty value is returned as "".
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // The value, or "" when unset.
  std::string GetOr(std::string_view name, std::string fallback = "") const {
    auto v = Get(name);
    return v ? *v : fallback;
  }
};

// Reads the real process environment (getenv; do not mutate the environment
// concurrently).
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }
};

// A fixed map, for tests.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}
  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }
  std::optional<std::string> Get(std::string_view name) const override {
    auto it = vars_.find(name);
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace memsecret::injector
