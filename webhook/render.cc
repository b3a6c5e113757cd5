#include "webhook/render.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "webhook/admission/mutator.h"
#include "webhook/admission/opt_in_check.h"
#include "webhook/config/yaml_json.h"

namespace memsecret::webhook {

namespace {

using nlohmann::json;

// JSON Pointer to the pod template inside a workload, "" for a Pod itself,
// nullopt for kinds that carry no pod.
std::optional<std::string> TemplatePointer(const std::string& kind) {
  if (kind == "Pod") return "";
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
      kind == "ReplicaSet" || kind == "Job" || kind == "ReplicationController")
    return "/spec/template";
  if (kind == "CronJob") return "/spec/jobTemplate/spec/template";
  return std::nullopt;
}

std::string StringAt(const json& doc, const char* pointer) {
  json::json_pointer p(pointer);
  return doc.contains(p) && doc[p].is_string() ? doc[p].get<std::string>() : "";
}

}  // namespace

int Render(const RenderOptions& options, const Config& config, std::ostream& out,
           std::ostream& err) {
  std::vector<YAML::Node> docs;
  try {
    docs = LoadAllDocuments(options.manifest_yaml);
  } catch (const YAML::Exception& e) {
    err << "error: cannot parse manifest: line " << e.mark.line + 1 << ": " << e.msg << "\n";
    return 2;
  }
  int status = 0;
  bool first = true;
  for (const auto& node : docs) {
    if (!node || node.IsNull()) continue;
    json doc;
    try {
      doc = YamlToJson(node);
    } catch (const YAML::Exception& e) {
      err << "error: cannot read document: " << e.what() << "\n";
      return 2;
    }
    const std::string kind = doc.is_object() ? StringAt(doc, "/kind") : "";
    const std::string name = doc.is_object() ? StringAt(doc, "/metadata/name") : "";
    const std::string label =
        (kind.empty() ? "document" : kind) + "/" + (name.empty() ? "<unnamed>" : name);
    std::string ns = options.namespace_name;
    if (ns.empty() && doc.is_object()) ns = StringAt(doc, "/metadata/namespace");
    if (ns.empty()) ns = "default";

    auto pointer = TemplatePointer(kind);
    if (pointer) {
      json::json_pointer where(*pointer);
      if (!doc.contains(where) || !doc[where].is_object()) {
        err << label << ": no pod template at " << (pointer->empty() ? "/" : *pointer) << "\n";
        status = std::max(status, 1);
        continue;
      }
      json& pod = doc[where];
      const PodFacts facts = PodFactsFromJson(pod);
      // The check entry's rule first: it sees every pod, labelled or not; here
      // also the workload's own metadata, which pods never get.
      std::optional<WorkloadMetadata> workload;
      if (!pointer->empty()) {
        const PodFacts outer = PodFactsFromJson(doc);
        std::string path = pointer->substr(1) + "/metadata";
        std::replace(path.begin(), path.end(), '/', '.');
        workload = WorkloadMetadata{kind, path, outer.labels.values, outer.annotations.values};
      }
      if (Problems p = CheckOptIn(facts.labels.values, facts.annotations.values,
                                  workload ? &*workload : nullptr);
          !p.empty()) {
        for (const auto& problem : p) err << label << ": denied: " << problem.message << "\n";
        status = std::max(status, 1);
        continue;
      }
      MutationResult m = Mutate(facts, ns, config);
      for (const auto& w : m.warnings) err << label << ": warning: " << w << "\n";
      if (m.kind == MutationResult::Kind::kDenied) {
        for (const auto& p : m.problems) err << label << ": denied: " << p.message << "\n";
        status = std::max(status, 1);
        continue;
      }
      if (m.kind == MutationResult::Kind::kPatched) {
        try {
          pod = pod.patch(json::parse(m.patch));
        } catch (const json::exception& e) {
          err << label << ": internal error applying the patch: " << e.what() << "\n";
          return 2;
        }
      } else {
        err << label << ": unchanged: " << m.reason << "\n";
      }
    }
    if (!first) out << "---\n";
    first = false;
    out << JsonToYaml(doc) << "\n";
  }
  return status;
}

}  // namespace memsecret::webhook
