#include "webhook/admission/mutator.h"

#include <gtest/gtest.h>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/injection_plan.h"
#include "webhook/admission/json_pointer.h"

namespace memsecret::webhook {
namespace {

using nlohmann::json;

Config TestConfig() {
  auto c = ParseConfig(R"(
aws: {region: eu-west-1}
vault: {addr: "https://vault.vault.svc:8200", allowedAddrs: ["https://vault.vault.svc:8200", "https://vault.example.com"]}
oauth: {allowedTokenUrls: ["https://idp.example.com/oauth2/token"]}
policy:
  - namespaces: ["crm-sync", "crm-sync-*"]
    allow: ["aws:/genesys/production/crm-sync-service/*"]
  - namespaces: ["staging"]
    allow: ["aws:/genesys/staging/*"]
  - namespaces: ["*"]
    allow: ["aws:/genesys/{namespace}/{serviceAccount}/*", "vault:secret/genesys/{namespace}/*", "azure:cc-kv/*"]
)");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

json Pod(json annotations, json spec = nullptr) {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"generateName", "crm-sync-7d9f8b-"}, {"labels", {{"memsecret.io/inject", "true"}}}}}};
  if (!annotations.is_null()) pod["metadata"]["annotations"] = annotations;
  if (spec.is_null())
    spec = {{"serviceAccountName", "crm-sync-service"},
            {"containers",
             json::array({{{"name", "app"}, {"image", "crm:1"}, {"command", {"/app"}}}})}};
  pod["spec"] = spec;
  return pod;
}

json CrmAnnotations() {
  return {{"memsecret.io/secret-client-secret",
           "aws:/genesys/production/crm-sync-service/oauth-client-secret#clientSecret"}};
}

// Applies the patch the way the apiserver would (nlohmann implements RFC 6902).
// The patch is written without a DOM; it must still be exactly what
// nlohmann_json prints for it (sorted keys), so every test checks that too.
json Ops(const MutationResult& r) {
  json ops = json::parse(r.patch);
  EXPECT_EQ(ops.dump(), r.patch);
  return ops;
}
json Apply(const json& pod, const MutationResult& r) { return pod.patch(Ops(r)); }

InjectionPlan PlanOf(const json& container) {
  for (const auto& e : container["env"])
    if (e["name"] == "MEMSECRET_PLAN") return DecodePlan(e["value"].get<std::string>()).value();
  ADD_FAILURE() << "no MEMSECRET_PLAN";
  return {};
}

TEST(MutatorTest, NativeSidecarForAMinimalPod) {
  json pod = Pod(CrmAnnotations());
  auto r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  // Missing arrays are created whole, never appended to.
  for (const auto& op : Ops(r)) {
    EXPECT_NE(op["path"], "/spec/volumes/-");
    EXPECT_NE(op["path"], "/spec/initContainers/0");
  }
  json out = Apply(pod, r);
  EXPECT_EQ(out["metadata"]["annotations"]["memsecret.io/status"], "injected");
  const json& vol = out["spec"]["volumes"][0];
  EXPECT_EQ(vol["name"], "memsecret");
  EXPECT_EQ(vol["emptyDir"]["medium"], "Memory");
  EXPECT_EQ(vol["emptyDir"]["sizeLimit"], "1Mi");
  ASSERT_EQ(out["spec"]["initContainers"].size(), 1u);
  const json& inj = out["spec"]["initContainers"][0];
  EXPECT_EQ(inj["name"], "memsecret-injector");
  EXPECT_EQ(inj["restartPolicy"], "Always");
  EXPECT_EQ(inj["command"], json::array({"/usr/local/bin/memsecret-injector"}));
  EXPECT_EQ(inj["args"], json::array({"run"}));
  // The app starts when the postStart hook returns (the first complete
  // write), not on a startup probe's next tick: there is no startupProbe.
  EXPECT_EQ(inj["lifecycle"]["postStart"]["exec"]["command"],
            json::array({"/usr/local/bin/memsecret-injector", "probe", "--wait", "300s"}));
  EXPECT_FALSE(inj.contains("startupProbe"));
  const json& sc = inj["securityContext"];
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(sc["runAsUser"], 65532);
  EXPECT_EQ(inj["resources"]["requests"]["cpu"], "5m");
  EXPECT_EQ(inj["resources"]["limits"]["memory"], "16Mi");
  const json& app = out["spec"]["containers"][0];
  ASSERT_EQ(app["volumeMounts"].size(), 1u);
  EXPECT_EQ(app["volumeMounts"][0], json({{"name", "memsecret"},
                                          {"mountPath", "/var/run/secrets/memsecret"},
                                          {"readOnly", true}}));
  EXPECT_EQ(app["command"], json::array({"/app"}));  // app untouched otherwise
  EXPECT_FALSE(app.contains("env"));

  InjectionPlan plan = PlanOf(inj);
  EXPECT_EQ(plan.pod.namespace_name, "crm-sync");
  EXPECT_EQ(plan.pod.service_account, "crm-sync-service");
  EXPECT_EQ(plan.output_dir, "/var/run/secrets/memsecret");
  EXPECT_EQ(plan.refresh_interval_seconds, 300);
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].ref.field, "clientSecret");
  ASSERT_TRUE(plan.backends.Has(kAwsBackend));
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->region, "eu-west-1");
  EXPECT_TRUE(plan.backends.Get<AwsSettings>(kAwsBackend)
                  ->role_arn.empty());  // no role: the container's own AWS identity is used
  EXPECT_FALSE(out["spec"]["volumes"].size() > 1);  // hence no projected token
  EXPECT_FALSE(r.warnings.empty());                 // no runAsUser stated
}

TEST(MutatorTest, ExistingArraysAreAppendedAndNamesNeverCollide) {
  json spec = {
      {"serviceAccountName", "crm-sync-service"},
      {"volumes", json::array({{{"name", "memsecret"}, {"emptyDir", json::object()}},
                               {{"name", "memsecret-sa-token"}, {"emptyDir", json::object()}}})},
      {"initContainers", json::array({{{"name", "memsecret-injector"}, {"image", "busybox"}},
                                      {{"name", "migrate"}, {"image", "m"}}})},
      {"containers",
       json::array(
           {{{"name", "app"},
             {"image", "a"},
             {"volumeMounts", json::array({{{"name", "memsecret"}, {"mountPath", "/data"}}})}},
            {{"name", "memsecret-injector-2"}, {"image", "b"}}})}};
  json ann = CrmAnnotations();
  ann["memsecret.io/aws-role-arn"] = "arn:aws:iam::123456789012:role/crm-sync";
  ann["memsecret.io/containers"] = "app,migrate";
  json pod = Pod(ann, spec);
  auto r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  json out = Apply(pod, r);
  const json& inits = out["spec"]["initContainers"];
  ASSERT_EQ(inits.size(), 3u);
  EXPECT_EQ(inits[0]["name"], "memsecret-injector-3");  // first, and unique across all containers
  EXPECT_EQ(inits[1]["name"], "memsecret-injector");
  EXPECT_EQ(inits[2]["name"], "migrate");
  ASSERT_EQ(inits[2]["volumeMounts"].size(), 1u);  // the named init container gets the mount
  EXPECT_EQ(inits[2]["volumeMounts"][0]["name"], "memsecret-2");
  const json& vols = out["spec"]["volumes"];
  ASSERT_EQ(vols.size(), 4u);
  EXPECT_EQ(vols[2]["name"], "memsecret-2");
  EXPECT_EQ(vols[3]["name"], "memsecret-sa-token-2");
  EXPECT_EQ(vols[3]["projected"]["sources"][0]["serviceAccountToken"]["audience"],
            "sts.amazonaws.com");
  const json& app = out["spec"]["containers"][0];
  ASSERT_EQ(app["volumeMounts"].size(), 2u);
  EXPECT_EQ(app["volumeMounts"][1]["name"], "memsecret-2");
  EXPECT_FALSE(out["spec"]["containers"][1].contains("volumeMounts"));  // not selected
  // The token volume is mounted only in the injector.
  int token_mounts = 0;
  for (const char* list : {"containers", "initContainers"})
    for (const auto& c : out["spec"][list])
      for (const auto& m : c.value("volumeMounts", json::array()))
        if (m["name"] == "memsecret-sa-token-2") {
          ++token_mounts;
          EXPECT_EQ(c["name"], "memsecret-injector-3");
        }
  EXPECT_EQ(token_mounts, 1);
  InjectionPlan plan = PlanOf(inits[0]);
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->role_arn,
            "arn:aws:iam::123456789012:role/crm-sync");
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->web_identity_token_file,
            "/var/run/secrets/memsecret.io/serviceaccount/aws-token");
}

TEST(MutatorTest, ClassicAndInitOnlyLayouts) {
  Config classic = TestConfig();
  classic.injector.native_sidecar = false;
  json pod = Pod(CrmAnnotations());
  auto r = Mutate(pod, "crm-sync", classic);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  json out = Apply(pod, r);
  ASSERT_EQ(out["spec"]["initContainers"].size(), 1u);
  EXPECT_EQ(out["spec"]["initContainers"][0]["name"], "memsecret-init");
  EXPECT_EQ(out["spec"]["initContainers"][0]["args"], json::array({"run", "--once"}));
  EXPECT_FALSE(out["spec"]["initContainers"][0].contains("restartPolicy"));
  ASSERT_EQ(out["spec"]["containers"].size(), 2u);
  EXPECT_EQ(out["spec"]["containers"][1]["name"], "memsecret-injector");
  EXPECT_EQ(out["spec"]["containers"][1]["args"], json::array({"run"}));

  json ann = CrmAnnotations();
  ann["memsecret.io/lifecycle"] = "init";
  pod = Pod(ann);
  r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  out = Apply(pod, r);
  ASSERT_EQ(out["spec"]["initContainers"].size(), 1u);
  EXPECT_EQ(out["spec"]["initContainers"][0]["name"], "memsecret-init");
  EXPECT_EQ(out["spec"]["containers"].size(), 1u);
  EXPECT_EQ(PlanOf(out["spec"]["initContainers"][0]).lifecycle, Lifecycle::kInit);
}

TEST(MutatorTest, RotationMaxAgeAndMetricsPortTravelInThePlan) {
  Config config = TestConfig();
  auto rules = ParseConfig(R"(
rotation:
  - {match: "aws:*/oauth-client-secret", maxAge: 90d}
  - {match: "*", maxAge: 180d}
injector: {metricsPort: 9464}
)");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  config.rotation = rules->rotation;
  config.injector.metrics_port = rules->injector.metrics_port;

  json ann = CrmAnnotations();
  ann["memsecret.io/secret-db"] = "aws:/genesys/production/crm-sync-service/db";
  json pod = Pod(ann);
  auto r = Mutate(pod, "crm-sync", config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  json out = Apply(pod, r);
  const json& injector = out["spec"]["initContainers"][0];
  InjectionPlan plan = PlanOf(injector);
  EXPECT_EQ(plan.metrics_port, 9464);
  ASSERT_EQ(plan.files.size(), 2u);
  for (const PlannedFile& f : plan.files) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(f.rotation_max_age_seconds, (f.name == "client-secret" ? 90 : 180) * 86400);
  }
  EXPECT_EQ(injector["ports"], json::parse(R"([{"containerPort":9464,"name":"memsec-metrics",
                                                "protocol":"TCP"}])"));

  // The annotation wins; "0" turns the config's port off.
  ann["memsecret.io/metrics-port"] = "9100";
  pod = Pod(ann);
  out = Apply(pod, Mutate(pod, "crm-sync", config));
  EXPECT_EQ(PlanOf(out["spec"]["initContainers"][0]).metrics_port, 9100);
  EXPECT_EQ(out["spec"]["initContainers"][0]["ports"][0]["containerPort"], 9100);
  ann["memsecret.io/metrics-port"] = "0";
  pod = Pod(ann);
  out = Apply(pod, Mutate(pod, "crm-sync", config));
  EXPECT_EQ(PlanOf(out["spec"]["initContainers"][0]).metrics_port, 0);
  EXPECT_FALSE(out["spec"]["initContainers"][0].contains("ports"));

  // Classic layout: only the long-running sidecar declares the port.
  Config classic = config;
  classic.injector.native_sidecar = false;
  ann.erase("memsecret.io/metrics-port");
  pod = Pod(ann);
  out = Apply(pod, Mutate(pod, "crm-sync", classic));
  EXPECT_FALSE(out["spec"]["initContainers"][0].contains("ports"));
  EXPECT_EQ(out["spec"]["containers"][1]["ports"][0]["name"], "memsec-metrics");

  // Init lifecycle: the config's port does not apply; the annotation is an error.
  ann["memsecret.io/lifecycle"] = "init";
  pod = Pod(ann);
  out = Apply(pod, Mutate(pod, "crm-sync", config));
  EXPECT_EQ(PlanOf(out["spec"]["initContainers"][0]).metrics_port, 0);
  ann["memsecret.io/metrics-port"] = "9100";
  pod = Pod(ann);
  auto denied = Mutate(pod, "crm-sync", config);
  EXPECT_EQ(denied.kind, MutationResult::Kind::kDenied);
  EXPECT_NE(denied.DenialMessage().find("metrics-port: needs lifecycle sidecar"), std::string::npos)
      << denied.DenialMessage();
  for (const char* bad : {"80", "65536", "http", "-1", ""}) {
    SCOPED_TRACE(bad);
    json a = CrmAnnotations();
    a["memsecret.io/metrics-port"] = bad;
    pod = Pod(a);
    auto d = Mutate(pod, "crm-sync", config);
    EXPECT_EQ(d.kind, MutationResult::Kind::kDenied);
    EXPECT_NE(d.DenialMessage().find("memsecret.io/metrics-port"), std::string::npos)
        << d.DenialMessage();
  }
}

// The injector's two listeners share its network namespace with the app: a
// pod (or the config's metrics port) asking for one port twice is denied with
// both keys named; distinct ports both reach the plan.
TEST(MutatorTest, MetricsAndAgentPortsMustDiffer) {
  Config config = TestConfig();
  config.injector.metrics_port = 9464;
  json ann = CrmAnnotations();
  ann["memsecret.io/agent-port"] = "9464";  // clashes with the config's metrics port
  json pod = Pod(ann);
  auto denied = Mutate(pod, "crm-sync", config);
  ASSERT_EQ(denied.kind, MutationResult::Kind::kDenied);
  EXPECT_NE(denied.DenialMessage().find("metrics-port"), std::string::npos)
      << denied.DenialMessage();
  EXPECT_NE(denied.DenialMessage().find("agent-port"), std::string::npos) << denied.DenialMessage();

  ann["memsecret.io/metrics-port"] = "2773";  // the annotation moves metrics off 9464
  ann["memsecret.io/agent-port"] = "2773";
  pod = Pod(ann);
  EXPECT_EQ(Mutate(pod, "crm-sync", config).kind, MutationResult::Kind::kDenied);

  ann["memsecret.io/agent-port"] = "9464";
  pod = Pod(ann);
  json out = Apply(pod, Mutate(pod, "crm-sync", config));
  const InjectionPlan plan = PlanOf(out["spec"]["initContainers"][0]);
  EXPECT_EQ(plan.metrics_port, 2773);
  EXPECT_EQ(plan.agent_port, 9464);
}

// The injector's listeners against the pod they join: a port an app or init
// container declares is denied (the pod could not start); on hostNetwork the
// Agent endpoint (the node's loopback) and an annotated metrics port are
// denied, the config's metrics port is turned off with a warning.
struct PortCase {
  const char* name;
  json annotations;  // added to CrmAnnotations()
  json spec_extra;   // merged into the pod spec
  int config_metrics_port;
  std::vector<const char*> denied;  // empty: admitted
  int plan_metrics_port = 0, plan_agent_port = 0;
  const char* warning = nullptr;
};

TEST(MutatorTest, InjectorPortsAgainstThePodsPorts) {
  const json app_on_8080 = {
      {"containers",
       json::array({{{"name", "app"},
                     {"image", "crm:1"},
                     {"ports", json::array({{{"containerPort", 8080}, {"name", "http"}}})}}})}};
  const json init_on_2773 = {
      {"initContainers", json::array({{{"name", "proxy"},
                                       {"image", "p:1"},
                                       {"restartPolicy", "Always"},
                                       {"ports", json::array({{{"containerPort", 2773}}})}}})}};
  const PortCase cases[] = {
      {"agent-port equal to an app containerPort",
       {{"memsecret.io/agent-port", "8080"}},
       app_on_8080,
       0,
       {"memsecret.io/agent-port 8080: container \"app\" declares containerPort 8080"}},
      {"metrics-port equal to an app containerPort",
       {{"memsecret.io/metrics-port", "8080"}},
       app_on_8080,
       0,
       {"memsecret.io/metrics-port 8080: container \"app\""}},
      {"the config's metrics port equal to an app containerPort: the fix is named",
       json::object(),
       app_on_8080,
       8080,
       {"memsecret.io/metrics-port 8080", "or 0, in memsecret.io/metrics-port"}},
      {"agent-port equal to an init (sidecar) container's port",
       {{"memsecret.io/agent-port", "2773"}},
       init_on_2773,
       0,
       {"container \"proxy\" declares containerPort 2773"}},
      {"distinct ports are admitted",
       {{"memsecret.io/agent-port", "2773"}, {"memsecret.io/metrics-port", "9464"}},
       app_on_8080,
       0,
       {},
       9464,
       2773},
      {"agent-port on hostNetwork",
       {{"memsecret.io/agent-port", "2773"}},
       {{"hostNetwork", true}},
       0,
       {"memsecret.io/agent-port: not on a hostNetwork pod"}},
      {"annotated metrics-port on hostNetwork",
       {{"memsecret.io/metrics-port", "9464"}},
       {{"hostNetwork", true}},
       0,
       {"memsecret.io/metrics-port: not on a hostNetwork pod"}},
      {"the config's metrics port on hostNetwork is turned off with a warning",
       json::object(),
       {{"hostNetwork", true}},
       9464,
       {},
       0,
       0,
       "hostNetwork pod: injector metrics port turned off"},
      {"hostNetwork false changes nothing",
       {{"memsecret.io/agent-port", "2773"}},
       {{"hostNetwork", false}},
       9464,
       {},
       9464,
       2773},
  };
  for (const PortCase& c : cases) {
    SCOPED_TRACE(c.name);
    Config config = TestConfig();
    config.injector.metrics_port = c.config_metrics_port;
    json ann = CrmAnnotations();
    ann.update(c.annotations);
    json pod = Pod(ann);
    for (const auto& [key, value] : c.spec_extra.items()) pod["spec"][key] = value;
    auto r = Mutate(pod, "crm-sync", config);
    if (!c.denied.empty()) {
      ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
      EXPECT_EQ(r.status_code, 400);
      for (const char* w : c.denied)
        EXPECT_NE(r.DenialMessage().find(w), std::string::npos) << r.DenialMessage();
      continue;
    }
    ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
    json out = Apply(pod, r);
    const InjectionPlan plan = PlanOf(out["spec"]["initContainers"].back());
    EXPECT_EQ(plan.metrics_port, c.plan_metrics_port);
    EXPECT_EQ(plan.agent_port, c.plan_agent_port);
    bool warned = false;
    for (const auto& w : r.warnings) warned |= c.warning && w.find(c.warning) != std::string::npos;
    EXPECT_EQ(warned, c.warning != nullptr);
  }
}

// A region the app's env gives the planner is checked like the annotation's:
// it ends up in a host name the injector connects to.
TEST(MutatorTest, AppEnvRegionMustBeARegionName) {
  Config config = TestConfig();
  std::any_cast<AwsSection&>(config.backends.at(kAwsBackend)).region.clear();
  json spec = {
      {"serviceAccountName", "crm-sync-service"},
      {"containers",
       json::array(
           {{{"name", "app"},
             {"image", "crm:1"},
             {"env", json::array({{{"name", "AWS_REGION"}, {"value", "attacker.example/?"}}})}}})}};
  auto denied = Mutate(Pod(CrmAnnotations(), spec), "crm-sync", config);
  ASSERT_EQ(denied.kind, MutationResult::Kind::kDenied);
  EXPECT_NE(denied.DenialMessage().find("aws: the app's AWS_REGION"), std::string::npos)
      << denied.DenialMessage();
  spec["containers"][0]["env"][0]["value"] = "eu-west-1";
  auto ok = Mutate(Pod(CrmAnnotations(), spec), "crm-sync", config);
  ASSERT_EQ(ok.kind, MutationResult::Kind::kPatched) << ok.DenialMessage();
}

TEST(MutatorTest, PodWithoutAnnotationsMapGetsOneCreated) {
  // Unlabelled pods are unchanged; a labelled pod with no annotations map is denied
  // (it asks for injection but names nothing), never silently started.
  json pod = Pod(nullptr);
  pod["metadata"].erase("labels");
  auto r = Mutate(pod, "crm-sync", TestConfig());
  EXPECT_EQ(r.kind, MutationResult::Kind::kUnchanged);
  pod = Pod(nullptr);
  r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
  EXPECT_EQ(r.status_code, 400);
  EXPECT_NE(r.DenialMessage().find("no memsecret.io/secret-<name>"), std::string::npos);
}

TEST(MutatorTest, StatusAnnotationPathIsEscaped) {
  json pod = Pod(CrmAnnotations());
  auto r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  EXPECT_EQ(Ops(r)[0]["path"], "/metadata/annotations/memsecret.io~1status");
  EXPECT_EQ(EscapePointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(Pointer({"x~1", "y/z"}), "/x~01/y~1z");
}

TEST(MutatorTest, IdempotentOnReinvocation) {
  json pod = Pod(CrmAnnotations());
  Config config = TestConfig();
  auto r = Mutate(pod, "crm-sync", config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  auto again = Mutate(Apply(pod, r), "crm-sync", config);
  EXPECT_EQ(again.kind, MutationResult::Kind::kUnchanged);
  EXPECT_EQ(again.reason, "already injected");
}

TEST(MutatorTest, UsesTheAppIdentity) {
  json spec = {
      {"serviceAccountName", "crm-sync-service"},
      {"securityContext", {{"runAsUser", 1000}, {"runAsGroup", 3000}, {"fsGroup", 2000}}},
      {"containers",
       json::array(
           {{{"name", "app"}, {"image", "a"}, {"securityContext", {{"runAsUser", 1001}}}}})}};
  json pod = Pod(CrmAnnotations(), spec);
  auto r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  json out = Apply(pod, r);
  EXPECT_EQ(out["spec"]["initContainers"][0]["securityContext"]["runAsUser"], 1001);
  EXPECT_EQ(out["spec"]["initContainers"][0]["securityContext"]["runAsGroup"], 3000);
  // TestConfig() names no AWS role and the app has no AWS_ROLE_ARN: the one
  // warning says so (the injector would need Pod Identity or static keys).
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no AWS role"), std::string::npos);
  EXPECT_LE(r.warnings[0].size(), 120u);
}

TEST(MutatorTest, AwsFailoverRegionsAndEndpointsTravelInThePlan) {
  auto config = ParseConfig(R"(
aws:
  region: us-east-1
  failoverRegions: [us-west-2, eu-west-1]
  endpoints:
    us-west-2: {secretsmanager: "https://vpce-1.secretsmanager.us-west-2.vpce.amazonaws.com"}
    ap-south-1: {sts: "https://sts.ap-south-1.amazonaws.com"}
policy:
  - namespaces: ["*"]
    allow: ["aws:/genesys/production/crm-sync-service/*"]
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  json annotations = CrmAnnotations();
  auto r = Mutate(Pod(annotations), "crm-sync", *config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  InjectionPlan plan = PlanOf(Apply(Pod(annotations), r)["spec"]["initContainers"][0]);
  ASSERT_TRUE(plan.backends.Has(kAwsBackend));
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->failover_regions,
            (std::vector<std::string>{"us-west-2", "eu-west-1"}));
  ASSERT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->endpoints.size(),
            1u);  // only regions this pod may use
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->endpoints.begin()->first, "us-west-2");

  // A pod in us-west-2 fails over to eu-west-1 only; the annotation replaces the
  // list and may turn failover off; naming the primary is refused.
  annotations["memsecret.io/aws-region"] = "us-west-2";
  r = Mutate(Pod(annotations), "crm-sync", *config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  plan = PlanOf(Apply(Pod(annotations), r)["spec"]["initContainers"][0]);
  EXPECT_EQ(plan.backends.Get<AwsSettings>(kAwsBackend)->failover_regions,
            (std::vector<std::string>{"eu-west-1"}));
  annotations["memsecret.io/aws-failover-regions"] = "";
  r = Mutate(Pod(annotations), "crm-sync", *config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  plan = PlanOf(Apply(Pod(annotations), r)["spec"]["initContainers"][0]);
  EXPECT_TRUE(plan.backends.Get<AwsSettings>(kAwsBackend)->failover_regions.empty());
  annotations["memsecret.io/aws-failover-regions"] = "eu-west-1, us-west-2";
  r = Mutate(Pod(annotations), "crm-sync", *config);
  EXPECT_EQ(r.kind, MutationResult::Kind::kDenied);
  EXPECT_NE(r.DenialMessage().find("\"us-west-2\" is the primary region"), std::string::npos)
      << r.DenialMessage();
}

TEST(MutatorTest, VaultAndAzureGetProjectedTokensWithTheirAudiences) {
  json ann = {{"memsecret.io/secret-cfg", "vault:secret/genesys/cx-pipeline/config"},
              {"memsecret.io/secret-kv", "azure:cc-kv/genesys-client"},
              {"memsecret.io/vault-namespace", "contact-centre"}};
  json pod = Pod(ann);
  auto r = Mutate(pod, "cx-pipeline", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  json out = Apply(pod, r);
  const json& sources = out["spec"]["volumes"][1]["projected"]["sources"];
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]["serviceAccountToken"]["audience"], "vault");
  EXPECT_EQ(sources[1]["serviceAccountToken"]["audience"], "api://AzureADTokenExchange");
  EXPECT_GE(sources[0]["serviceAccountToken"]["expirationSeconds"].get<int>(), 600);
  InjectionPlan plan = PlanOf(out["spec"]["initContainers"][0]);
  EXPECT_EQ(plan.backends.Get<VaultSettings>(kVaultBackend)->role,
            "crm-sync-service");  // {serviceAccount} substituted
  EXPECT_EQ(plan.backends.Get<VaultSettings>(kVaultBackend)->vault_namespace, "contact-centre");
  EXPECT_EQ(plan.backends.Get<VaultSettings>(kVaultBackend)->token_file,
            "/var/run/secrets/memsecret.io/serviceaccount/vault-token");
  EXPECT_EQ(plan.backends.Get<AzureSettings>(kAzureBackend)->federated_token_file,
            "/var/run/secrets/memsecret.io/serviceaccount/azure-token");
  EXPECT_FALSE(plan.backends.Has(kAwsBackend));
}

struct DenialCase {
  const char* name;
  const char* ns;
  json annotations;
  int code;
  std::vector<const char*> want;  // every fragment must appear in the message
};

TEST(MutatorTest, Denials) {
  const DenialCase cases[] = {
      {"staging asks for production",
       "staging",
       {{"memsecret.io/secret-db", "aws:/genesys/production/crm-sync-service/db"}},
       403,
       {"policy: ref aws:/genesys/production/crm-sync-service/db",
        "not allowed in namespace staging"}},
      {"no rule for namespace",
       "crm-sync-eu",
       {{"memsecret.io/secret-db", "aws:/other/db"}},
       403,
       {"not allowed in namespace crm-sync-eu"}},
      {"template substitution keeps namespaces apart",
       "team-a",
       {{"memsecret.io/secret-db", "aws:/genesys/team-b/crm-sync-service/db"}},
       403,
       {"not allowed"}},
      {"vault addr outside allowlist",
       "cx",
       {{"memsecret.io/secret-db", "vault:secret/genesys/cx/db"},
        {"memsecret.io/vault-addr", "https://evil.example.com"}},
       403,
       {"vault-addr https://evil.example.com is not in vault.allowedAddrs"}},
      {"token url outside allowlist",
       "cx",
       {{"memsecret.io/token-t", "vault:secret/genesys/cx/client"},
        {"memsecret.io/issuer-t", "https://evil.example.com/token"}},
       403,
       {"issuer https://evil.example.com/token", "oauth.allowedTokenUrls"}},
      {"invalid and forbidden together: 400 and both named",
       "staging",
       {{"memsecret.io/secret-db", "aws:/genesys/production/x"}, {"memsecret.io/formt-db", "json"}},
       400,
       {"memsecret.io/formt-db: unknown annotation", "not allowed in namespace staging"}},
      {"agent-port with an init-only injector",
       "crm-sync",
       {{"memsecret.io/secret-db", "aws:/genesys/production/crm-sync-service/db"},
        {"memsecret.io/lifecycle", "init"},
        {"memsecret.io/agent-port", "2773"}},
       400,
       {"memsecret.io/agent-port: needs lifecycle sidecar"}},
      {"unknown container",
       "crm-sync",
       {{"memsecret.io/secret-db", "aws:/genesys/production/crm-sync-service/db"},
        {"memsecret.io/containers", "worker"}},
       400,
       {"no container named \"worker\""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = Mutate(Pod(c.annotations), c.ns, TestConfig());
    ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
    EXPECT_EQ(r.status_code, c.code);
    for (const char* w : c.want)
      EXPECT_NE(r.DenialMessage().find(w), std::string::npos) << r.DenialMessage();
  }
}

TEST(MutatorTest, AgentPortTravelsInTheSidecarPlan) {
  json ann = CrmAnnotations();
  ann["memsecret.io/agent-port"] = "2773";
  json pod = Pod(ann);
  auto r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  json out = Apply(pod, r);
  int found = 0;
  for (const char* list : {"initContainers", "containers"})
    for (const json& c : out["spec"][list])
      if (c["name"] == "memsecret-injector") {
        ++found;
        EXPECT_EQ(PlanOf(c).agent_port, 2773);
      }
  EXPECT_EQ(found, 1);
  // Without the annotation: no endpoint.
  pod = Pod(CrmAnnotations());
  r = Mutate(pod, "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched);
  out = Apply(pod, r);
  for (const json& c : out["spec"]["initContainers"]) {
    if (c["name"] == "memsecret-injector") {
      EXPECT_EQ(PlanOf(c).agent_port, 0);
    }
  }
}

// Found by fuzz_config_yaml (render of a malformed manifest): a container that
// is not an object got a volumeMounts patch the document could not take.
TEST(MutatorTest, ContainerEntriesThatAreNotObjectsAre400) {
  const std::pair<json, const char*> cases[] = {
      {{{"containers", json::array({"app"})}}, "spec.containers[0] must be an object"},
      {{{"containers", json::array({{{"name", "app"}}, 5})}},
       "spec.containers[1] must be an object"},
      {{{"containers", json::array({{{"name", "app"}}})}, {"initContainers", "x"}},
       "spec.initContainers must be a list"},
      {{{"containers", json::array({{{"name", "app"}}})},
        {"initContainers", json::array({nullptr})}},
       "spec.initContainers[0] must be an object"},
  };
  for (const auto& [spec, want] : cases) {
    SCOPED_TRACE(want);
    auto r = Mutate(Pod(CrmAnnotations(), spec), "crm-sync", TestConfig());
    ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
    EXPECT_EQ(r.status_code, 400);
    EXPECT_NE(r.DenialMessage().find(want), std::string::npos) << r.DenialMessage();
  }
}

TEST(MutatorTest, MountPathCollisionIsDenied) {
  json spec = {
      {"containers",
       json::array(
           {{{"name", "app"},
             {"image", "a"},
             {"volumeMounts",
              json::array({{{"name", "x"}, {"mountPath", "/var/run/secrets/memsecret"}}})}}})}};
  auto r = Mutate(Pod({{"memsecret.io/secret-db", "aws:/genesys/team-x/default/db"}}, spec),
                  "team-x", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied) << r.DenialMessage();
  EXPECT_NE(r.DenialMessage().find("already mounts a volume at /var/run/secrets/memsecret"),
            std::string::npos);
}

TEST(MutatorTest, EmptyPolicyDeniesEverything) {
  Config config;  // defaults: no rules
  auto r = Mutate(Pod(CrmAnnotations()), "crm-sync", config);
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
  EXPECT_NE(r.DenialMessage().find("the policy has no rules"), std::string::npos);
  EXPECT_NE(r.DenialMessage().find("pass --config"), std::string::npos);
}

TEST(MutatorTest, DenialMessageIsBounded) {
  json ann = json::object();
  for (int i = 0; i < 200; ++i)
    ann["memsecret.io/bogus-" + std::to_string(i)] = std::string(1000, 'x');
  auto r = Mutate(Pod(ann), "crm-sync", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
  EXPECT_LE(r.DenialMessage().size(), 4500u);
  EXPECT_NE(r.DenialMessage().find("more"), std::string::npos);
}

TEST(MutatorTest, MultipleContainersSelection) {
  json spec = {{"containers", json::array({{{"name", "app"}, {"image", "a"}},
                                           {{"name", "worker"}, {"image", "w"}},
                                           {{"name", "proxy"}, {"image", "p"}}})}};
  json ann = {{"memsecret.io/secret-db", "aws:/genesys/crm-sync-x/default/db"},
              {"memsecret.io/containers", "worker, app"}};
  json pod = Pod(ann, spec);
  auto r = Mutate(pod, "crm-sync-x", TestConfig());
  // crm-sync-* rule matches first and does not allow this ref.
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);
  r = Mutate(pod, "team-x", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kDenied);  // ref is for namespace crm-sync-x
  ann["memsecret.io/secret-db"] = "aws:/genesys/team-x/default/db";
  pod = Pod(ann, spec);
  r = Mutate(pod, "team-x", TestConfig());
  ASSERT_EQ(r.kind, MutationResult::Kind::kPatched) << r.DenialMessage();
  json out = Apply(pod, r);
  EXPECT_TRUE(out["spec"]["containers"][0].contains("volumeMounts"));
  EXPECT_TRUE(out["spec"]["containers"][1].contains("volumeMounts"));
  EXPECT_FALSE(out["spec"]["containers"][2].contains("volumeMounts"));
}

}  // namespace
}  // namespace memsecret::webhook
