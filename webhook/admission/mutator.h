// Mutate: the whole admission decision for one pod, as a pure function
// (no I/O, no logging, no clock). Order: opt-in label -> already injected ->
// parse annotations -> policy -> plan -> patch. All problems are collected so
// a denial names every one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "webhook/admission/pod_facts.h"
#include "webhook/admission/problems.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {

struct MutationResult {
  enum class Kind { kUnchanged, kPatched, kDenied };
  Kind kind = Kind::kUnchanged;
  std::string patch;    // JSON Patch (array of operations, JSON text) when kPatched
  int status_code = 0;  // 400 (invalid input) or 403 (policy) when kDenied
  Problems problems;    // when kDenied
  std::vector<std::string> warnings;
  std::string reason;  // why kUnchanged (not opted in, already injected)
  size_t files = 0;    // files planned when kPatched

  // "memsecret: 2 problems: <p1>; <p2>" (bounded length).
  std::string DenialMessage() const;
};

// `pod` describes the Pod object; `namespace_name` is the request namespace
// (authoritative over metadata.namespace).
MutationResult Mutate(const PodFacts& pod, const std::string& namespace_name, const Config& config);
// The same for a Pod held as a DOM (`render`, tests).
MutationResult Mutate(const nlohmann::json& pod, const std::string& namespace_name,
                      const Config& config);

}  // namespace memsecret::webhook
