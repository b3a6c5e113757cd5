// Annotation parsing and the reference grammars pods control: memsecret.io/
// annotations -> PodInjectionSpec, SecretRef, issuer, duration, glob.
// Input: lines "key=value" (a key without "memsecret.io/" gets it prefixed).
// Properties: no crash; a parsed SecretRef round-trips through ToString();
// every planned file name passes IsValidFileName (no '/', "..", NUL).
#include <cstdlib>
#include <map>
#include <string>

#include "memsecret/duration.h"
#include "memsecret/glob.h"
#include "memsecret/issuer.h"
#include "memsecret/plan/backends.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/secret_ref.h"
#include "memsecret/url.h"
#include "webhook/admission/annotations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> annotations;
  while (!in.empty()) {
    size_t eol = in.find('\n');
    std::string_view line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    size_t eq = line.find('=');
    std::string key(line.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
    if (key.rfind("memsecret.io/", 0) != 0) key = "memsecret.io/" + key;
    annotations[key] = value;

    // The value through each grammar on its own.
    auto ref = memsecret::ParseSecretRef(value);
    if (ref.ok()) {
      auto again = memsecret::ParseSecretRef(ref->ToString());
      if (!again.ok() || !(*again == *ref)) std::abort();
    }
    (void)memsecret::ParseIssuer(value);
    (void)memsecret::GenesysHost(value);
    (void)memsecret::ParseOutboundUrl(value, "fuzz");
    (void)memsecret::ParseDuration(value);
    (void)memsecret::GlobMatch(value, key);
    (void)memsecret::GlobMatch(key, value);
  }
  memsecret::webhook::Problems problems;
  auto spec = memsecret::webhook::ParseAnnotations(annotations, &problems);
  for (const auto& f : spec.files)
    if (!memsecret::IsValidFileName(f.name)) std::abort();
  return 0;
}
