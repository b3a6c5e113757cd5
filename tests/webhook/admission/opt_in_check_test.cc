// The opt-in check (check entry, `render`): which pods are denied for a label
// or prefix typo and what the message says; table-driven, pure.
#include "webhook/admission/opt_in_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memsecret::webhook {
namespace {

using StringMap = std::map<std::string, std::string>;

struct Case {
  const char* name;
  StringMap labels, annotations;
  // Substrings the joined messages must contain; empty: allowed.
  std::vector<std::string> expect;
};

std::string Joined(const Problems& problems) {
  std::string out;
  for (const auto& p : problems) out += p.message + "\n";
  return out;
}

const StringMap kSecret = {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}};
const StringMap kOptedIn = {{"app", "crm"}, {"memsecret.io/inject", "true"}};

const Case kCases[] = {
    // Allowed: nothing of memsecret, or opted in exactly.
    {"ordinary pod",
     {{"app", "web"}, {"app.kubernetes.io/name", "web"}},
     {{"prometheus.io/scrape", "true"}},
     {}},
    {"no metadata at all", {}, {}, {}},
    {"opted in correctly", kOptedIn, kSecret, {}},
    {"opted in, bad annotation left to the injection entry",
     kOptedIn,
     {{"memsecret.io/secrte-db", "x"}},
     {}},
    {"explicit opt-out, no annotations", {{"memsecret.io/inject", "false"}}, {}, {}},
    {"unrelated similar-looking keys",
     {{"kubesecret.io/x", "1"}, {"cert-manager.io/inject", "true"}},
     {{"vault.hashicorp.com/agent-inject", "true"}, {"sealedsecrets.bitnami.com/managed", "true"}},
     {}},
    // Denied: the label.
    {"label key typo",
     {{"memsecret.io/injcet", "true"}},
     kSecret,
     {"label \"memsecret.io/injcet\" is not a memsecret label", "memsecret.io/inject: \"true\""}},
    {"label value yes",
     {{"memsecret.io/inject", "yes"}},
     kSecret,
     {"label memsecret.io/inject is \"yes\" but only \"true\" opts in",
      "set memsecret.io/inject: \"true\""}},
    {"label value True, no annotations",
     {{"memsecret.io/inject", "True"}},
     {},
     {"memsecret.io/inject is \"True\""}},
    {"label prefix typo",
     {{"memsecrets.io/inject", "true"}},
     {},
     {"label \"memsecrets.io/inject\" has prefix \"memsecrets.io/\"",
      "did you mean memsecret.io/inject"}},
    {"label without a slash", {{"memsecret-inject", "true"}}, {}, {"label \"memsecret-inject\""}},
    {"label prefix one letter off",
     {{"memsecet.io/inject", "true"}},
     {},
     {"prefix \"memsecet.io/\""}},
    // Denied: annotations.
    {"annotations without the label",
     {{"app", "crm"}},
     kSecret,
     {"memsecret.io/secret-db", "not the label memsecret.io/inject: \"true\"", "add that label"}},
    {"annotations with opt-out label",
     {{"memsecret.io/inject", "false"}},
     kSecret,
     {"not the label memsecret.io/inject: \"true\""}},
    {"annotation prefix memsecrets.io",
     kOptedIn,
     {{"memsecrets.io/token-crm", "aws:/x"}},
     {"annotation \"memsecrets.io/token-crm\" has prefix \"memsecrets.io/\"",
      "rename it to \"memsecret.io/token-crm\""}},
    {"annotation prefix memsecret.com",
     {},
     {{"memsecret.com/secret-db", "aws:/x"}},
     {"prefix \"memsecret.com/\"", "rename it to \"memsecret.io/secret-db\""}},
    {"annotation prefix memsecret/",
     {},
     {{"memsecret/secret-db", "aws:/x"}},
     {"prefix \"memsecret/\"", "rename it to \"memsecret.io/secret-db\""}},
    {"annotation prefix with capitals",
     {},
     {{"MemSecret.io/secret-db", "aws:/x"}},
     {"\"MemSecret.io/\""}},
    {"annotation prefix transposed",
     {},
     {{"memsecert.io/secret-db", "aws:/x"}},
     {"\"memsecert.io/\""}},
};

TEST(OptInCheckTest, Table) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Problems problems = CheckOptIn(c.labels, c.annotations);
    const std::string text = Joined(problems);
    if (c.expect.empty()) {
      EXPECT_TRUE(problems.empty()) << text;
      continue;
    }
    ASSERT_FALSE(problems.empty());
    for (const auto& p : problems) EXPECT_EQ(p.kind, ProblemKind::kInvalid);
    for (const auto& want : c.expect)
      EXPECT_NE(text.find(want), std::string::npos) << "want: " << want << "\ngot: " << text;
  }
}

// The workload around a pod template (render): memsecret.io/ keys on its own
// metadata never reach a pod.
struct WorkloadCase {
  const char* name;
  StringMap workload_labels, workload_annotations;  // the Deployment's own metadata
  StringMap labels, annotations;                    // its pod template's
  std::vector<std::string> expect;                  // empty: allowed
  std::vector<std::string> absent;                  // substrings no message may carry
};

const WorkloadCase kWorkloadCases[] = {
    {"label on the Deployment, annotations on the template",
     {{"memsecret.io/inject", "true"}},
     {},
     {{"app", "crm"}},
     kSecret,
     {"label memsecret.io/inject is on the Deployment's own metadata",
      "its pods get only the pod template's metadata (spec.template.metadata)",
      "move the label to spec.template.metadata.labels"},
     {"is not \"true\"", "not the label"}},
    {"label and annotations on the Deployment, template bare",
     {{"memsecret.io/inject", "true"}},
     {{"memsecret.io/secret-db", "aws:/x"}},
     {{"app", "crm"}},
     {},
     {"label memsecret.io/inject is on the Deployment's own metadata",
      "annotation \"memsecret.io/secret-db\" is on the Deployment's own metadata",
      "move it to spec.template.metadata.annotations"},
     {}},
    {"label on both: the template's counts",
     {{"memsecret.io/inject", "true"}},
     {},
     kOptedIn,
     kSecret,
     {},
     {}},
    {"ordinary Deployment labels",
     {{"app", "crm"}},
     {{"deployment.kubernetes.io/revision", "3"}},
     kOptedIn,
     kSecret,
     {},
     {}},
};

TEST(OptInCheckTest, WorkloadMetadataTable) {
  for (const WorkloadCase& c : kWorkloadCases) {
    SCOPED_TRACE(c.name);
    const WorkloadMetadata workload{"Deployment", "spec.template.metadata", c.workload_labels,
                                    c.workload_annotations};
    const Problems problems = CheckOptIn(c.labels, c.annotations, &workload);
    const std::string text = Joined(problems);
    if (c.expect.empty()) {
      EXPECT_TRUE(problems.empty()) << text;
      continue;
    }
    for (const auto& want : c.expect)
      EXPECT_NE(text.find(want), std::string::npos) << "want: " << want << "\ngot: " << text;
    for (const auto& no : c.absent)
      EXPECT_EQ(text.find(no), std::string::npos) << "unwanted: " << no << "\ngot: " << text;
  }
}

TEST(OptInCheckTest, PodWithoutTheLabelNamesThePodTemplate) {
  // The check entry sees only the pod: the likely mistake (the label on the
  // workload instead of its pod template) is named.
  const std::string text = Joined(CheckOptIn({{"app", "crm"}}, kSecret));
  EXPECT_NE(text.find("spec.template.metadata.labels"), std::string::npos) << text;
  EXPECT_NE(text.find("not the workload's own metadata"), std::string::npos) << text;
}

TEST(OptInCheckTest, EveryProblemIsReported) {
  const Problems problems =
      CheckOptIn({{"memsecret.io/injcet", "true"}},
                 {{"memsecrets.io/secret-a", "x"}, {"memsecret.com/secret-b", "y"}});
  EXPECT_EQ(problems.size(), 3u) << Joined(problems);
}

TEST(OptInCheckTest, NeverPrintsAnnotationValuesAndBoundsLabelValues) {
  const std::string secretish = "aws:/genesys/crm-sync/db-VALUE-MARKER";
  const Problems problems = CheckOptIn({{"memsecret.io/inject", std::string(500, 'y')}},
                                       {{"memsecrets.io/secret-db", secretish}});
  const std::string text = Joined(problems);
  EXPECT_EQ(text.find("VALUE-MARKER"), std::string::npos);
  EXPECT_LT(text.size(), 600u);
}

TEST(OptInCheckTest, ManyAnnotationsAreSummarised) {
  StringMap annotations;
  for (char c = 'a'; c <= 'j'; ++c) annotations[std::string("memsecret.io/secret-") + c] = "aws:/x";
  const std::string text = Joined(CheckOptIn({}, annotations));
  EXPECT_NE(text.find("(10 in all)"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret-j"), std::string::npos) << text;
}

TEST(OptInCheckTest, BoundedEditDistance) {
  struct {
    const char *a, *b;
    size_t limit, want;
  } cases[] = {
      {"", "", 3, 0},
      {"memsecret.io/", "memsecret.io/", 3, 0},
      {"memsecrets.io/", "memsecret.io/", 3, 1},
      {"memsecret.com/", "memsecret.io/", 3, 2},
      {"memsecret/", "memsecret.io/", 3, 3},
      {"kitten", "sitting", 5, 3},
      {"app.kubernetes.io/", "memsecret.io/", 3, 4},  // beyond the limit: limit + 1
      {"a", "abcdefgh", 3, 4},                        // length gap alone
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " / " + c.b);
    EXPECT_EQ(BoundedEditDistance(c.a, c.b, c.limit), c.want);
    EXPECT_EQ(BoundedEditDistance(c.b, c.a, c.limit), c.want);
  }
}

}  // namespace
}  // namespace memsecret::webhook
