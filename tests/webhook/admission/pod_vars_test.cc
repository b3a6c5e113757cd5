// SubstitutePodVars: the two pod variables, anywhere and repeated; other braces kept.
#include "webhook/admission/pod_vars.h"

#include <gtest/gtest.h>

namespace memsecret::webhook {
namespace {

TEST(SubstitutePodVars, Table) {
  struct Case {
    const char* pattern;
    const char* want;
  } cases[] = {
      {"", ""},
      {"aws:/genesys/{namespace}/*", "aws:/genesys/crm/*"},
      {"{serviceAccount}", "sync-sa"},
      {"{namespace}-{serviceAccount}-{namespace}", "crm-sync-sa-crm"},
      {"{Namespace}{namespace", "{Namespace}{namespace"},
      {"{pod}/{}", "{pod}/{}"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(SubstitutePodVars(c.pattern, "crm", "sync-sa"), c.want) << c.pattern;
}

}  // namespace
}  // namespace memsecret::webhook
