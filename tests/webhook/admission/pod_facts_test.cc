// PodFacts: what the admission decision reads from a pod, read in one pass.
#include "webhook/admission/pod_facts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace memsecret::webhook {
namespace {

using nlohmann::json;

PodFacts Read(std::string_view text) {
  JsonReader r(text);
  PodFacts facts = ReadPodFacts(r);
  EXPECT_TRUE(r.Finish()) << r.error();
  return facts;
}

TEST(PodFactsTest, ReadsWhatTheDecisionNeedsAndSkipsTheRest) {
  const PodFacts p = Read(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "crm-1", "namespace": "crm-sync", "labels": {"app": "crm", "memsecret.io/inject": "true"},
                 "annotations": {"memsecret.io/secret-db": "aws:/a/db", "bad": 7},
                 "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}]},
    "spec": {"serviceAccountName": "crm-sa", "securityContext": {"runAsUser": 1000, "fsGroup": 2000, "runAsGroup": "x"},
             "volumes": [{"name": "config", "configMap": {"name": "c"}}, {"emptyDir": {}}, "junk"],
             "containers": [{"name": "app", "image": "i", "env": [{"name": "AWS_REGION", "value": "eu-west-1"},
                                                                  {"name": "OTHER", "value": "not kept"},
                                                                  {"name": "AWS_ROLE_ARN", "valueFrom": {}}],
                             "volumeMounts": [{"name": "config", "mountPath": "/etc/crm"}],
                             "securityContext": {"runAsUser": 1001}},
                            7],
             "initContainers": null},
    "status": {"phase": "Pending"}})");
  EXPECT_TRUE(p.is_object);
  EXPECT_EQ(p.name, "crm-1");
  EXPECT_EQ(p.metadata_namespace, "crm-sync");
  EXPECT_EQ(p.labels.values.at("memsecret.io/inject"), "true");
  EXPECT_EQ(p.annotations.values.size(), 1u);
  EXPECT_EQ(p.annotations.non_string_keys, std::set<std::string>{"bad"});
  EXPECT_EQ(p.spec, JsonShape::kObject);
  EXPECT_EQ(p.service_account_name, "crm-sa");
  EXPECT_EQ(p.security.run_as_user, 1000);
  EXPECT_EQ(p.security.fs_group, 2000);
  EXPECT_FALSE(p.security.run_as_group.has_value());
  EXPECT_EQ(p.volumes, JsonShape::kArray);
  EXPECT_EQ(p.volume_names, std::vector<std::string>{"config"});
  ASSERT_EQ(p.containers.items.size(), 2u);
  const ContainerFacts& app = p.containers.items[0];
  EXPECT_TRUE(app.is_object);
  EXPECT_EQ(app.name, "app");
  EXPECT_EQ(app.volume_mounts, JsonShape::kArray);
  EXPECT_EQ(app.mount_paths, std::vector<std::string>{"/etc/crm"});
  EXPECT_EQ(app.security.run_as_user, 1001);
  ASSERT_EQ(app.env.size(), 1u);  // only the names the planner reads, only literal values
  EXPECT_EQ(app.env[0], (std::pair<std::string, std::string>{"AWS_REGION", "eu-west-1"}));
  EXPECT_FALSE(p.containers.items[1].is_object);
  EXPECT_EQ(p.init_containers.shape, JsonShape::kNull);
  EXPECT_EQ(p.ephemeral_containers.shape, JsonShape::kAbsent);
}

// The ports the injector's listeners must not take: hostNetwork (true only
// when the boolean true) and every integer containerPort of every container.
TEST(PodFactsTest, ReadsHostNetworkAndContainerPorts) {
  const PodFacts p = Read(R"({"spec": {"hostNetwork": true,
    "containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "http"}, {"name": "x"},
                                             {"containerPort": "9090"}, {"containerPort": 9464}]}],
    "initContainers": [{"name": "proxy", "ports": [{"containerPort": 2773}]}]}})");
  EXPECT_TRUE(p.host_network);
  ASSERT_EQ(p.containers.items.size(), 1u);
  EXPECT_EQ(p.containers.items[0].container_ports, (std::vector<int64_t>{8080, 9464}));
  ASSERT_EQ(p.init_containers.items.size(), 1u);
  EXPECT_EQ(p.init_containers.items[0].container_ports, std::vector<int64_t>{2773});
  for (const char* off : {R"({"spec": {"hostNetwork": false}})",
                          R"({"spec": {"hostNetwork": "true"}})", R"({"spec": {}})"})
    EXPECT_FALSE(Read(off).host_network) << off;
}

TEST(PodFactsTest, DuplicateKeysLastOneWinsLikeTheDom) {
  const std::string text = R"({"metadata": {"labels": {"a": 1, "a": "x", "b": "y", "b": null}},
                                "spec": {"containers": [{"name": "old"}]},
                                "spec": {"containers": [{"name": "new", "name": "newer"}], "volumes": []}})";
  const PodFacts p = Read(text);
  EXPECT_EQ(p.labels.values, (std::map<std::string, std::string>{{"a", "x"}}));
  EXPECT_EQ(p.labels.non_string_keys, std::set<std::string>{"b"});
  ASSERT_EQ(p.containers.items.size(), 1u);
  EXPECT_EQ(p.containers.items[0].name, "newer");
  EXPECT_EQ(p.volumes, JsonShape::kArray);
  // The DOM route sees the same pod.
  const PodFacts q = PodFactsFromJson(json::parse(text));
  EXPECT_EQ(q.labels.values, p.labels.values);
  EXPECT_EQ(q.containers.items[0].name, "newer");
}

TEST(PodFactsTest, ShapesOfUnexpectedValuesAreRecordedNotFatal) {
  const PodFacts p =
      Read(R"({"metadata": "x", "spec": {"containers": {"name": "a"}, "volumes": 3}})");
  EXPECT_EQ(p.metadata, JsonShape::kOther);
  EXPECT_EQ(p.labels.shape, JsonShape::kAbsent);
  EXPECT_EQ(p.containers.shape, JsonShape::kObject);
  EXPECT_TRUE(p.containers.items.empty());
  EXPECT_EQ(p.volumes, JsonShape::kOther);
  EXPECT_FALSE(Read("[1]").is_object);
}

}  // namespace
}  // namespace memsecret::webhook
