#include "webhook/yaml_json.h"

#include <regex>

namespace memsecret::webhook {

namespace {

using nlohmann::json;

const std::regex& IntPattern() {
  static const std::regex re(R"([-+]?[0-9]+)");
  return re;
}
const std::regex& FloatPattern() {
  static const std::regex re(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return re;
}

bool IsNullWord(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }
bool IsTrue(const std::string& s) { return s == "true" || s == "True" || s == "TRUE"; }
bool IsFalse(const std::string& s) { return s == "false" || s == "False" || s == "FALSE"; }

json Scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return s;  // quoted ("!") or explicitly tagged: a string
  if (IsNullWord(s)) return nullptr;
  if (IsTrue(s)) return true;
  if (IsFalse(s)) return false;
  if (std::regex_match(s, IntPattern())) {
    try {
      return std::stoll(s);
    } catch (...) {
      return s;  // out of range: keep the text
    }
  }
  if (std::regex_match(s, FloatPattern())) {
    try {
      return std::stod(s);
    } catch (...) {
      return s;
    }
  }
  return s;
}

// Strings that a YAML reader would type as something else must be quoted.
bool NeedsQuotes(const std::string& s) {
  return IsNullWord(s) || IsTrue(s) || IsFalse(s) || std::regex_match(s, IntPattern()) ||
         std::regex_match(s, FloatPattern()) || s == "yes" || s == "no" || s == "on" || s == "off" || s == "y" ||
         s == "n" || s == "Yes" || s == "No" || s == "On" || s == "Off";
}

void Emit(YAML::Emitter& out, const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, item] : v.items()) {
        out << YAML::Key;
        if (NeedsQuotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        Emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : v) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (NeedsQuotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case json::value_t::boolean: out << (v.get<bool>() ? "true" : "false"); break;
    case json::value_t::number_integer: out << v.get<int64_t>(); break;
    case json::value_t::number_unsigned: out << v.get<uint64_t>(); break;
    case json::value_t::number_float: out << v.dump(); break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node) arr.push_back(YamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Scalar: return Scalar(node);
    default: return nullptr;
  }
}

std::string JsonToYaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, value);
  return out.c_str();
}

}  // namespace memsecret::webhook
