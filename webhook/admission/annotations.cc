#include "webhook/admission/annotations.h"

namespace memsecret::webhook {

std::vector<std::string> KnownAnnotationKeys() {
  std::vector<std::string> keys = KnownInjectionKeys();
  keys.push_back("status");
  return keys;
}

PodInjectionSpec ParseAnnotations(const std::map<std::string, std::string>& annotations,
                                  Problems* problems) {
  PodInjectionSpec spec;
  const std::string prefix = kAnnotationPrefix;
  std::map<std::string, std::string> keys;  // without the prefix, status excluded
  for (const auto& [key, value] : annotations) {
    if (key.rfind(prefix, 0) != 0) continue;
    std::string k = key.substr(prefix.size());
    if (k == "status") {
      if (value == kStatusInjected)
        spec.already_injected = true;
      else
        problems->push_back({ProblemKind::kInvalid,
                             key + ": is written by the webhook; only \"injected\" is allowed"});
      continue;
    }
    spec.any = true;
    keys.emplace(std::move(k), value);
  }
  std::vector<std::string> messages;
  static_cast<InjectionSpec&>(spec) = ParseInjectionKeys(keys, prefix, &messages);
  for (std::string& m : messages) problems->push_back({ProblemKind::kInvalid, std::move(m)});
  return spec;
}

}  // namespace memsecret::webhook
