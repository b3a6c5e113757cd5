// The webhook's YAML configuration loader (ConfigMap / --config), and the
// same text as a manifest for `render -f` (YAML -> JSON -> mutate -> YAML).
// Property: no crash, no exception escapes ParseConfig or Render.
#include <cstdlib>
#include <sstream>

#include "webhook/config/config.h"
#include "webhook/render.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* config = [] {
    auto c = memsecret::webhook::ParseConfig("policy: [{namespaces: ['*'], allow: ['*']}]\n");
    if (!c.ok()) std::abort();
    return new memsecret::webhook::Config(std::move(c.value()));
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)memsecret::webhook::ParseConfig(text);
  std::ostringstream out, err;
  memsecret::webhook::RenderOptions options{text, ""};
  (void)memsecret::webhook::Render(options, *config, out, err);
  return 0;
}
