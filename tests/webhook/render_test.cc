#include "webhook/render.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace memsecret::webhook {
namespace {

Config TestConfig() {
  auto c = ParseConfig(
      "policy: [{namespaces: ['*'], allow: ['aws:/genesys/{namespace}/*', "
      "'vault:secret/genesys/{namespace}/*']}]\n");
  EXPECT_TRUE(c.ok());
  return *c;
}

constexpr const char* kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: crm-sync-service, namespace: crm-sync}
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: crm-sync, memsecret.io/inject: "true"}
      annotations:
        memsecret.io/secret-client-secret: "aws:/genesys/crm-sync/oauth#clientSecret"
    spec:
      containers:
        - name: app
          image: crm:1
          env: [{name: PORT, value: "8080"}, {name: DEBUG, value: "false"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cx-export}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {memsecret.io/inject: "true"}
          annotations: {memsecret.io/secret-cfg: "vault:secret/genesys/cx/cfg", memsecret.io/lifecycle: init}
        spec:
          restartPolicy: Never
          containers: [{name: export, image: exp:1}]
---
apiVersion: v1
kind: Service
metadata: {name: crm-sync}
spec: {ports: [{port: 80}]}
)";

TEST(RenderTest, MutatesPodTemplatesAndKeepsOtherDocuments) {
  std::ostringstream out, err;
  RenderOptions options{kManifest, ""};
  options.namespace_name = "";
  // The CronJob has no namespace: --namespace cx makes its ref allowed.
  options.namespace_name = "";
  int rc = Render({kManifest, ""}, TestConfig(), out, err);
  EXPECT_EQ(rc, 1) << err.str();  // CronJob lands in "default", where its vault ref is not allowed
  EXPECT_NE(err.str().find("CronJob/cx-export: denied: policy: ref vault:secret/genesys/cx/cfg"),
            std::string::npos)
      << err.str();

  std::ostringstream out2, err2;
  std::string two_docs = std::string(kManifest);
  rc = Render({two_docs, "cx"}, TestConfig(), out2, err2);
  EXPECT_EQ(rc, 1);  // now the Deployment's crm-sync ref is outside namespace cx
  EXPECT_NE(err2.str().find("Deployment/crm-sync-service: denied"), std::string::npos);
}

TEST(RenderTest, OutputIsValidYamlWithTypesPreserved) {
  const std::string deployment =
      std::string(kManifest).substr(0, std::string(kManifest).find("---"));
  std::ostringstream out, err;
  ASSERT_EQ(Render({deployment, ""}, TestConfig(), out, err), 0) << err.str();
  auto docs = YAML::LoadAll(out.str());
  ASSERT_EQ(docs.size(), 1u);
  const YAML::Node tmpl = docs[0]["spec"]["template"];
  EXPECT_EQ(docs[0]["spec"]["replicas"].as<int>(), 2);
  EXPECT_EQ(tmpl["metadata"]["annotations"]["memsecret.io/status"].as<std::string>(), "injected");
  EXPECT_EQ(tmpl["metadata"]["labels"]["memsecret.io/inject"].Tag(),
            "!");  // "true" stays a quoted string
  EXPECT_EQ(tmpl["spec"]["containers"][0]["env"][0]["value"].Tag(), "!");  // "8080" stays a string
  EXPECT_EQ(tmpl["spec"]["initContainers"][0]["name"].as<std::string>(), "memsecret-injector");
  EXPECT_EQ(tmpl["spec"]["volumes"][0]["emptyDir"]["medium"].as<std::string>(), "Memory");
}

TEST(RenderTest, SyntaxErrorsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(Render({"a: [unclosed", ""}, TestConfig(), out, err), 2);
  EXPECT_NE(err.str().find("cannot parse manifest"), std::string::npos);
}

// Found by fuzz_config_yaml: a manifest string that is not UTF-8 reached
// EncodePlan, whose JSON dump threw and terminated the process.
TEST(RenderTest, InvalidUtf8IsAnErrorNotACrash) {
  for (std::string bad : {"ivr-\xff\x01"
                          "bot",
                          "\xc3",
                          "a\xed\xa0\x80"
                          "b"}) {
    std::string manifest = std::string(kManifest);
    manifest.replace(manifest.find("kind: Deployment"), 16, "kind: Deployment\nx-note: " + bad);
    std::ostringstream out, err;
    EXPECT_EQ(Render({manifest, ""}, TestConfig(), out, err), 2);
    EXPECT_NE(err.str().find("not valid UTF-8"), std::string::npos) << err.str();
  }
  std::ostringstream out, err;
  EXPECT_EQ(Render({"kind: Pod\n\xff: 1\n", ""}, TestConfig(), out, err), 2);
}

// Found by fuzz_config_yaml: yaml-cpp 0.7's LoadAll never returns on these
// (jbeder/yaml-cpp#1040) and grows memory without bound.
TEST(RenderTest, StreamsYamlCppCannotFinishAreSyntaxErrors) {
  for (const char* text : {"!a,", "!2, x]\n", ",", "a: 1\n---\n!a,"}) {
    std::ostringstream out, err;
    EXPECT_EQ(Render({text, ""}, TestConfig(), out, err), 2) << text;
    EXPECT_NE(err.str().find("cannot parse manifest"), std::string::npos) << err.str();
  }
  std::ostringstream out, err;  // empty documents in between are still fine
  EXPECT_EQ(Render({"---\n---\nkind: ConfigMap\n---\n", ""}, TestConfig(), out, err), 0)
      << err.str();
}

TEST(RenderTest, WorkloadWithoutTemplateIsReported) {
  std::ostringstream out, err;
  EXPECT_EQ(
      Render({"kind: Deployment\nmetadata: {name: x}\nspec: {}\n", ""}, TestConfig(), out, err), 1);
  EXPECT_NE(err.str().find("Deployment/x: no pod template"), std::string::npos);
}

// `render` reports what the check entry would deny: typos the injection
// entry never sees, on workloads too; ordinary workloads pass untouched.
TEST(RenderTest, ReportsOptInTyposLikeTheCheckEntry) {
  constexpr const char* kTypos = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: label-typo, namespace: crm-sync}
spec:
  template:
    metadata:
      labels: {memsecret.io/injcet: "true"}
      annotations: {memsecret.io/secret-db: "aws:/genesys/crm-sync/db"}
    spec: {containers: [{name: app, image: a}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: prefix-typo
  labels: {memsecret.io/inject: "true"}
  annotations: {memsecrets.io/secret-db: "aws:/genesys/default/db"}
spec: {containers: [{name: app, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: plain, labels: {app: web}}
spec: {containers: [{name: app, image: a}]}
)";
  std::ostringstream out, err;
  EXPECT_EQ(Render({kTypos, ""}, TestConfig(), out, err), 1);
  const std::string e = err.str();
  EXPECT_NE(e.find("Deployment/label-typo: denied: label \"memsecret.io/injcet\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("Pod/prefix-typo: denied: annotation \"memsecrets.io/secret-db\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("Pod/plain: unchanged"), std::string::npos) << e;
  EXPECT_EQ(e.find("aws:/"), std::string::npos) << e;
  EXPECT_NE(out.str().find("name: plain"), std::string::npos);
  EXPECT_EQ(out.str().find("label-typo"), std::string::npos);
}

// The label on the Deployment's own metadata instead of its pod template:
// render names that mistake and where the label belongs (CronJob: its path).
TEST(RenderTest, LabelOnTheWorkloadInsteadOfItsTemplateIsNamed) {
  constexpr const char* kMisplaced = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: crm-sync-service
  namespace: crm-sync
  labels: {memsecret.io/inject: "true"}
spec:
  template:
    metadata:
      labels: {app: crm-sync}
      annotations: {memsecret.io/secret-db: "aws:/genesys/crm-sync/db"}
    spec: {containers: [{name: app, image: a}]}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cx-export
  labels: {memsecret.io/inject: "true"}
  annotations: {memsecret.io/secret-cfg: "vault:secret/genesys/cx/cfg"}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: export, image: exp:1}]}
)";
  std::ostringstream out, err;
  EXPECT_EQ(Render({kMisplaced, ""}, TestConfig(), out, err), 1);
  const std::string e = err.str();
  EXPECT_NE(e.find("Deployment/crm-sync-service: denied: label memsecret.io/inject is on the "
                   "Deployment's own metadata"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("move the label to spec.template.metadata.labels"), std::string::npos) << e;
  EXPECT_NE(e.find("CronJob/cx-export: denied: annotation \"memsecret.io/secret-cfg\" is on the "
                   "CronJob's own metadata"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("move the label to spec.jobTemplate.spec.template.metadata.labels"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("unchanged"), std::string::npos) << e;
  EXPECT_EQ(e.find("is not \"true\""), std::string::npos) << e;
}

}  // namespace
}  // namespace memsecret::webhook
