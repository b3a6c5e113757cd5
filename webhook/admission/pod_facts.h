// PodFacts: everything the admission decision reads from a Pod, and nothing
// else: names, labels and annotations, identities, the names and mounts of
// containers and volumes, and the shape of each list the patch adds to. The
// mutation core (Mutate, planner, patch builder) works on PodFacts only, so
// the webhook reads an AdmissionReview in one pass without building a JSON
// DOM of the pod (bench/mutate_bench: the DOM was most of the admission cost).
//
// One reader produces them (ReadPodFacts, over JsonReader); PodFactsFromJson
// serialises a DOM and reads it the same way, so `render` and tests cannot
// drift from the webhook. Reading never fails on an unexpected shape: the
// shape is recorded (JsonShape) and judged by Mutate, as before.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsecret/json_reader.h"

namespace memsecret::webhook {

// metadata.labels / metadata.annotations: string values, plus the keys whose
// values were not strings (sorted; Mutate reports them).
struct StringMapFacts {
  JsonShape shape = JsonShape::kAbsent;
  std::map<std::string, std::string> values;
  std::set<std::string> non_string_keys;
};

struct SecurityContextFacts {
  std::optional<int64_t> run_as_user, run_as_group, fs_group;
};

// The container env variables the planner consults (region and role
// defaults); only these are kept in ContainerFacts::env.
inline constexpr std::array<std::string_view, 3> kEnvNamesRead = {
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN"};

struct ContainerFacts {
  bool is_object = false;
  std::string name;  // empty when absent or not a string
  JsonShape volume_mounts = JsonShape::kAbsent;
  std::vector<std::string> mount_paths;  // volumeMounts[*].mountPath (strings)
  SecurityContextFacts security;
  // Literal values (env[*] with a string `value`) of kEnvNamesRead, in order.
  std::vector<std::pair<std::string, std::string>> env;
  // ports[*].containerPort (integers), in order.
  std::vector<int64_t> container_ports;
};

struct ContainerListFacts {
  JsonShape shape = JsonShape::kAbsent;
  std::vector<ContainerFacts> items;  // when shape is kArray
};

struct PodFacts {
  bool is_object = false;
  // metadata
  JsonShape metadata = JsonShape::kAbsent;
  std::string name, metadata_namespace;
  StringMapFacts labels, annotations;
  // spec
  JsonShape spec = JsonShape::kAbsent;
  std::string service_account_name,
      service_account;  // serviceAccountName, deprecated serviceAccount
  SecurityContextFacts security;
  bool host_network = false;  // spec.hostNetwork is true
  JsonShape volumes = JsonShape::kAbsent;
  std::vector<std::string> volume_names;
  ContainerListFacts containers, init_containers, ephemeral_containers;
};

// kMetadata reads metadata only and skips (still validating) the spec: what
// the opt-in check needs, at a fraction of the cost.
enum class PodFactsScope { kAll, kMetadata };

// Reads the pod object at the reader's position (any value: a non-object is
// recorded as such and skipped). Syntax errors are left in `reader`.
PodFacts ReadPodFacts(JsonReader& reader, PodFactsScope scope = PodFactsScope::kAll);

// The same facts from a DOM (for `render` and tests).
PodFacts PodFactsFromJson(const nlohmann::json& pod);

}  // namespace memsecret::webhook
