// YAML <-> JSON conversion for manifests and config-like documents.
// Plain scalars get YAML 1.2 core-schema types (null, bool, int, float);
// quoted or explicitly tagged scalars stay strings. yaml-cpp exceptions stop
// in these functions' callers' adapter (render.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/utf8.h"

namespace memsecret::webhook {

// Throws YAML::Exception (as yaml-cpp does) for a key or string that is not
// valid UTF-8: JSON cannot carry it, and nlohmann::json would throw on dump.
nlohmann::json YamlToJson(const YAML::Node& node);
// Emits one YAML document (block style, strings quoted where a plain scalar
// would change type).
std::string JsonToYaml(const nlohmann::json& value);

// YAML::LoadAll, but a stream on which yaml-cpp 0.7's LoadAll never returns
// (e.g. "!a,": it keeps producing empty documents without consuming input,
// jbeder/yaml-cpp#1040) throws YAML::ParserException instead. At most
// kMaxYamlDocuments documents.
inline constexpr size_t kMaxYamlDocuments = 10000;
std::vector<YAML::Node> LoadAllDocuments(const std::string& text);

}  // namespace memsecret::webhook
