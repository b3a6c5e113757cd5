// Mutate: the whole admission decision for one pod, as a pure function
// (no I/O, no logging, no clock). Order: opt-in label -> already injected ->
// parse annotations -> policy -> plan -> patch. All problems are collected so
// a denial names every one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "webhook/config.h"
#include "webhook/problems.h"

namespace memsecret::webhook {

struct MutationResult {
  enum class Kind { kUnchanged, kPatched, kDenied };
  Kind kind = Kind::kUnchanged;
  nlohmann::json patch = nlohmann::json::array();  // operations when kPatched
  int status_code = 0;                             // 400 (invalid input) or 403 (policy) when kDenied
  Problems problems;                               // when kDenied
  std::vector<std::string> warnings;
  std::string reason;  // why kUnchanged (not opted in, already injected)
  size_t files = 0;    // files planned when kPatched

  // "memsecret: 2 problems: <p1>; <p2>" (bounded length).
  std::string DenialMessage() const;
};

// `pod` is the Pod object; `namespace_name` the request namespace (which is
// authoritative over metadata.namespace).
MutationResult Mutate(const nlohmann::json& pod, const std::string& namespace_name, const Config& config);

}  // namespace memsecret::webhook
