// ConfigSection: reading one section of the webhook's configuration that a
// backend owns (`aws:`, `vault:`, ...), given as JSON (the YAML document read
// with YAML 1.2 core-schema types). Strict as the rest of the config: unknown
// keys and values of the wrong type are errors naming the key path
// ("vault.allowedAddrs[1]: must be a string"). Pure.
#pragma once

#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace memsecret {

class ConfigSection {
 public:
  // `node`: the section (null when absent); `where`: its key path.
  ConfigSection(const nlohmann::json& node, std::string where, std::vector<std::string>* errors);

  // True when the section is a mapping (absent: false, no error; anything
  // else: false and "<where>: must be a mapping").
  bool present() const { return present_; }
  // Reports every key not in `allowed`.
  void Keys(std::initializer_list<const char*> allowed);
  // Each reader leaves `*out` alone when the key is absent or null. Strings
  // take integers as their text (`role: 1234`).
  void String(const char* key, std::string* out);
  void StringList(const char* key, std::vector<std::string>* out);
  void Bool(const char* key, bool* out);
  // A member as a section of its own ("aws.endpoints").
  ConfigSection Section(const char* key) const;
  // A mapping section's members, each as a section ("aws.endpoints.us-east-1").
  std::vector<std::pair<std::string, ConfigSection>> Members() const;

  const std::string& where() const { return where_; }
  void Error(const std::string& message) const { errors_->push_back(message); }

 private:
  std::string Where(const std::string& key) const;

  const nlohmann::json& node_;
  std::string where_;
  std::vector<std::string>* errors_;
  bool present_;
};

}  // namespace memsecret
