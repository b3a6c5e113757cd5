// YAML <-> JSON conversion for manifests and config-like documents.
// Plain scalars get YAML 1.2 core-schema types (null, bool, int, float);
// quoted or explicitly tagged scalars stay strings. yaml-cpp exceptions stop
// in these functions' callers' adapter (render.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace memsecret::webhook {

nlohmann::json YamlToJson(const YAML::Node& node);
// Emits one YAML document (block style, strings quoted where a plain scalar
// would change type).
std::string JsonToYaml(const nlohmann::json& value);

}  // namespace memsecret::webhook
