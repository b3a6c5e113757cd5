#include "webhook/config/yaml_json.h"

#include <yaml-cpp/eventhandler.h>

#include <regex>
#include <sstream>

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

bool IsNullWord(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}
bool IsTrue(const std::string& s) { return s == "true" || s == "True" || s == "TRUE"; }
bool IsFalse(const std::string& s) { return s == "false" || s == "False" || s == "FALSE"; }

const std::string& CheckedText(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (!IsValidUtf8(s)) throw YAML::ParserException(node.Mark(), "not valid UTF-8");
  return s;
}

json Scalar(const YAML::Node& node) {
  const std::string& s = CheckedText(node);
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
         std::regex_match(s, FloatPattern()) || s == "yes" || s == "no" || s == "on" ||
         s == "off" || s == "y" || s == "n" || s == "Yes" || s == "No" || s == "On" || s == "Off";
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
    case json::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      break;
    case json::value_t::number_integer:
      out << v.get<int64_t>();
      break;
    case json::value_t::number_unsigned:
      out << v.get<uint64_t>();
      break;
    case json::value_t::number_float:
      out << v.dump();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

// Records where a document's events start and whether it is one bare null.
class ProgressProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { Event(m, true); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { Event(m, false); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Event(m, false);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Event(m, false);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Event(m, false);
  }
  void OnMapEnd() override {}

  YAML::Mark first;
  bool only_null = true;
  size_t events = 0;

 private:
  void Event(const YAML::Mark& m, bool null) {
    if (events++ == 0) first = m;
    only_null = only_null && null;
  }
};

}  // namespace

std::vector<YAML::Node> LoadAllDocuments(const std::string& text) {
  // Dry run with the same parser LoadAll uses: a bare-null document at the
  // position of the previous one means the parser stopped consuming input.
  std::istringstream in(text);
  YAML::Parser parser(in);
  YAML::Mark previous = YAML::Mark::null_mark();
  bool previous_null = false;
  for (size_t docs = 0;; ++docs) {
    ProgressProbe probe;
    if (!parser.HandleNextDocument(probe)) break;
    const bool stuck_null = probe.events == 1 && probe.only_null;
    if (stuck_null && previous_null && probe.first.pos == previous.pos)
      throw YAML::ParserException(probe.first,
                                  "malformed YAML (the parser makes no progress here)");
    if (docs >= kMaxYamlDocuments)
      throw YAML::ParserException(probe.first,
                                  "more than " + std::to_string(kMaxYamlDocuments) + " documents");
    previous = probe.first;
    previous_null = stuck_null;
  }
  return YAML::LoadAll(text);
}

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw YAML::ParserException(kv.first.Mark(), "mapping keys must be scalars");
        obj[CheckedText(kv.first)] = YamlToJson(kv.second);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node) arr.push_back(YamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Scalar:
      return Scalar(node);
    default:
      return nullptr;
  }
}

std::string JsonToYaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, value);
  return out.c_str();
}

}  // namespace memsecret::webhook
