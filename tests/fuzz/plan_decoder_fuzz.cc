// The plan decoder: MEMSECRET_PLAN (or --plan FILE) JSON -> InjectionPlan, as
// the injector reads it before any write.
// Properties: no crash; every decoded file name is valid; a decoded plan
// encodes and decodes back to an equal plan.
#include <cstdlib>

#include "memsecret/plan/injection_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto plan = memsecret::DecodePlan(in);
  if (!plan.ok()) return 0;
  for (const auto& f : plan->files)
    if (!memsecret::IsValidFileName(f.name)) std::abort();
  auto again = memsecret::DecodePlan(memsecret::EncodePlan(*plan));
  if (!again.ok() || !(*again == *plan)) std::abort();
  return 0;
}
