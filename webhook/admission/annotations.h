// Annotations -> PodInjectionSpec: a pod's `memsecret.io/` annotations parsed
// with the shared key table (memsecret/plan/annotation_keys.h, the one home of
// which keys exist and how values are validated), plus the webhook's own
// `status` key. Pure: no config, no I/O. Defaults are NOT applied here.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "memsecret/plan/annotation_keys.h"
#include "webhook/admission/problems.h"

namespace memsecret::webhook {

inline constexpr const char* kAnnotationPrefix = "memsecret.io/";
inline constexpr const char* kInjectLabel = "memsecret.io/inject";
inline constexpr const char* kStatusAnnotation = "memsecret.io/status";
inline constexpr const char* kStatusInjected = "injected";

struct PodInjectionSpec : InjectionSpec {
  bool already_injected = false;  // status: injected
  bool any = false;               // at least one memsecret.io/ annotation besides status
};

// Every key the parser accepts after the prefix, in documentation form:
// KnownInjectionKeys() plus "status". README's table is checked against it.
std::vector<std::string> KnownAnnotationKeys();

// Parses the pod's annotations. Every invalid key or value adds a kInvalid
// problem naming the annotation; parsing continues so all are reported.
PodInjectionSpec ParseAnnotations(const std::map<std::string, std::string>& annotations,
                                  Problems* problems);

}  // namespace memsecret::webhook
