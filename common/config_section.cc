#include "memsecret/config_section.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>

#include "memsecret/ascii.h"

namespace memsecret {

using nlohmann::json;

ConfigSection::ConfigSection(const json& node, std::string where, std::vector<std::string>* errors)
    : node_(node), where_(std::move(where)), errors_(errors), present_(node.is_object()) {
  if (!node.is_null() && !node.is_object()) Error(where_ + ": must be a mapping");
}

std::string ConfigSection::Where(const std::string& key) const {
  return where_.empty() ? key : where_ + "." + key;
}

void ConfigSection::Keys(std::initializer_list<const char*> allowed) {
  if (!present_) return;
  for (const auto& member : node_.items()) {
    const std::string& key = member.key();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      Error(Where(key) + ": unknown key");
  }
}

namespace {

const json& Null() {
  static const json null;
  return null;
}

bool ScalarText(const json& v, std::string* out) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    return true;
  }
  if (v.is_number_integer() || v.is_number_unsigned()) {
    *out = v.dump();
    return true;
  }
  return false;
}

}  // namespace

void ConfigSection::String(const char* key, std::string* out) {
  if (!present_) return;
  auto it = node_.find(key);
  if (it == node_.end() || it->is_null()) return;
  if (!ScalarText(*it, out)) Error(Where(key) + ": must be a string");
}

void ConfigSection::StringList(const char* key, std::vector<std::string>* out) {
  if (!present_) return;
  auto it = node_.find(key);
  if (it == node_.end() || it->is_null()) return;
  if (!it->is_array()) {
    Error(Where(key) + ": must be a list of strings");
    return;
  }
  out->clear();
  for (size_t i = 0; i < it->size(); ++i) {
    std::string s;
    if (ScalarText((*it)[i], &s))
      out->push_back(std::move(s));
    else
      Error(Where(key) + "[" + std::to_string(i) + "]: must be a UTF-8 string");
  }
}

void ConfigSection::Bool(const char* key, bool* out) {
  if (!present_) return;
  auto it = node_.find(key);
  if (it == node_.end() || it->is_null()) return;
  if (it->is_boolean()) {
    *out = it->get<bool>();
    return;
  }
  // The spellings yaml-cpp reads as booleans elsewhere in the config (yes/no,
  // on/off, y/n), which YAML 1.2's core schema leaves as strings.
  static constexpr std::string_view kTrue[] = {"y", "yes", "on", "true"};
  static constexpr std::string_view kFalse[] = {"n", "no", "off", "false"};
  const std::string text = it->is_string() ? AsciiLowercase(it->get<std::string>()) : "";
  if (std::find(std::begin(kTrue), std::end(kTrue), text) != std::end(kTrue))
    *out = true;
  else if (std::find(std::begin(kFalse), std::end(kFalse), text) != std::end(kFalse))
    *out = false;
  else
    Error(Where(key) + ": must be true or false");
}

ConfigSection ConfigSection::Section(const char* key) const {
  if (!present_) return ConfigSection(Null(), Where(key), errors_);
  auto it = node_.find(key);
  return ConfigSection(it == node_.end() ? Null() : *it, Where(key), errors_);
}

std::vector<std::pair<std::string, ConfigSection>> ConfigSection::Members() const {
  std::vector<std::pair<std::string, ConfigSection>> out;
  if (!present_) return out;
  for (const auto& [key, value] : node_.items())
    out.emplace_back(key, ConfigSection(value, Where(key), errors_));
  return out;
}

}  // namespace memsecret
