// `memsecret-webhook render`: the admission mutation run offline over a
// multi-document YAML manifest (Pods and the pod templates of Deployments,
// StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs).
#pragma once

#include <ostream>
#include <string>

#include "webhook/config/config.h"

namespace memsecret::webhook {

struct RenderOptions {
  std::string manifest_yaml;   // the whole input text
  std::string namespace_name;  // --namespace; empty: each object's own, else "default"
};

// Each pod is judged as the cluster would: first the check entry's rule
// (opt_in_check.h: label and prefix typos), then the injection entry's Mutate.
// Writes the mutated documents as YAML to `out`. Denials are written to `err`
// as "<kind>/<name>: <problem>" lines. Returns 0 when every document was
// admitted, 1 when any was denied, 2 when the input could not be parsed.
int Render(const RenderOptions& options, const Config& config, std::ostream& out,
           std::ostream& err);

}  // namespace memsecret::webhook
