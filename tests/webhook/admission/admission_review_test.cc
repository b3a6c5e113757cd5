#include "webhook/admission/admission_review.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "memsecret/base64.h"

namespace memsecret::webhook {
namespace {

using nlohmann::json;

Config TestConfig() {
  auto c = ParseConfig("policy: [{namespaces: ['*'], allow: ['aws:/genesys/{namespace}/*']}]\n");
  EXPECT_TRUE(c.ok());
  return *c;
}

json Review(json pod, const std::string& ns = "crm-sync", const std::string& op = "CREATE") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"name", ""},
            {"namespace", ns},
            {"operation", op},
            {"userInfo", {{"username", "system:serviceaccount:kube-system:replicaset-controller"}}},
            {"object", pod},
            {"dryRun", false}}}};
}

json Pod(json annotations) {
  return {{"metadata",
           {{"generateName", "crm-"},
            {"labels", {{"memsecret.io/inject", "true"}}},
            {"annotations", annotations}}},
          {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "a"}}})}}}};
}

// What kube-apiserver checks of a webhook response.
json CheckLikeApiserver(const AdmitAnswer& a, const std::string& uid) {
  EXPECT_EQ(a.http_status, 200);
  json body = json::parse(a.body);
  EXPECT_EQ(body["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(body["kind"], "AdmissionReview");
  const json& r = body["response"];
  EXPECT_EQ(r["uid"], uid);
  EXPECT_EQ(r.contains("patch"), r.contains("patchType"));
  if (r.contains("patchType")) {
    EXPECT_EQ(r["patchType"], "JSONPatch");
  }
  return r;
}

TEST(AdmissionReviewTest, PatchedAnswer) {
  json review = Review(Pod({{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}));
  AdmitAnswer a = Admit(review.dump(), TestConfig());
  EXPECT_EQ(a.outcome, AdmitOutcome::kPatched);
  json r = CheckLikeApiserver(a, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r["allowed"], true);
  auto patch = Base64Decode(r["patch"].get<std::string>());
  ASSERT_TRUE(patch.has_value());
  json ops = json::parse(*patch);
  ASSERT_TRUE(ops.is_array());
  EXPECT_GE(ops.size(), 4u);
  EXPECT_EQ(a.files, 1u);
}

TEST(AdmissionReviewTest, DryRunGetsTheSameAnswer) {
  json review = Review(Pod({{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}));
  std::string normal = Admit(review.dump(), TestConfig()).body;
  review["request"]["dryRun"] = true;
  EXPECT_EQ(Admit(review.dump(), TestConfig()).body, normal);
}

TEST(AdmissionReviewTest, DeniedAnswerHasStatus) {
  json review = Review(Pod({{"memsecret.io/secret-db", "aws:/genesys/production/db"}}), "staging");
  AdmitAnswer a = Admit(review.dump(), TestConfig());
  EXPECT_EQ(a.outcome, AdmitOutcome::kDenied);
  json r = CheckLikeApiserver(a, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r["allowed"], false);
  EXPECT_EQ(r["status"]["code"], 403);
  EXPECT_EQ(r["status"]["reason"], "Forbidden");
  EXPECT_NE(r["status"]["message"].get<std::string>().find("aws:/genesys/production/db"),
            std::string::npos);
  EXPECT_EQ(a.problems.size(), 1u);
}

TEST(AdmissionReviewTest, UnchangedAnswers) {
  const std::pair<const char*, json> cases[] = {
      {"not opted in",
       Review({{"metadata", {{"name", "x"}}}, {"spec", {{"containers", json::array()}}}})},
      {"update",
       Review(Pod({{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}), "crm-sync", "UPDATE")},
  };
  for (const auto& [name, review] : cases) {
    SCOPED_TRACE(name);
    AdmitAnswer a = Admit(review.dump(), TestConfig());
    EXPECT_EQ(a.outcome, AdmitOutcome::kUnchanged);
    json r = CheckLikeApiserver(a, "705ab4f5-6393-11e8-b7cc-42010a800002");
    EXPECT_EQ(r["allowed"], true);
    EXPECT_FALSE(r.contains("patch"));
  }
  json review = Review(Pod({}));
  review["request"]["kind"]["kind"] = "Deployment";
  review["request"]["kind"]["group"] = "apps";
  EXPECT_EQ(Admit(review.dump(), TestConfig()).outcome, AdmitOutcome::kUnchanged);
}

// The check entry (POST /check): the cases a new user gets wrong, and the
// two that must pass untouched.
json LabelledPod(json labels, json annotations) {
  return {
      {"metadata", {{"generateName", "crm-"}, {"labels", labels}, {"annotations", annotations}}},
      {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "a"}}})}}}};
}

TEST(CheckAdmissionTest, TyposAreDeniedWithTheFix) {
  const json secret = {{"memsecret.io/token-crm", "aws:/genesys/crm-sync/oauth"}};
  const struct {
    const char* name;
    json pod;
    const char* fix;
  } cases[] = {
      {"label key typo", LabelledPod({{"memsecret.io/injcet", "true"}}, secret),
       "memsecret.io/inject: \"true\""},
      {"label value yes", LabelledPod({{"memsecret.io/inject", "yes"}}, secret),
       "set memsecret.io/inject: \"true\""},
      {"prefix typo",
       LabelledPod({{"memsecret.io/inject", "true"}}, {{"memsecrets.io/token-crm", "aws:/x"}}),
       "rename it to \"memsecret.io/token-crm\""},
      {"annotations without the label", LabelledPod({{"app", "crm"}}, secret), "add that label"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    AdmitAnswer a = CheckAdmission(Review(c.pod).dump());
    EXPECT_EQ(a.outcome, AdmitOutcome::kDenied);
    EXPECT_FALSE(a.problems.empty());
    json r = CheckLikeApiserver(a, "705ab4f5-6393-11e8-b7cc-42010a800002");
    EXPECT_EQ(r["allowed"], false);
    EXPECT_FALSE(r.contains("patch"));
    EXPECT_EQ(r["status"]["code"], 400);
    const std::string message = r["status"]["message"];
    EXPECT_NE(message.find(c.fix), std::string::npos) << message;
    EXPECT_EQ(message.find("aws:/"), std::string::npos)
        << "annotation values stay out: " << message;
  }
}

TEST(CheckAdmissionTest, OrdinaryAndOptedInPodsPassWithoutPatch) {
  const json opted_in = Pod({{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
  const json ordinary = LabelledPod({{"app", "web"}}, {{"prometheus.io/scrape", "true"}});
  for (const json& pod : {ordinary, opted_in, json{{"spec", {{"containers", json::array()}}}}}) {
    SCOPED_TRACE(pod.dump());
    AdmitAnswer a = CheckAdmission(Review(pod).dump());
    EXPECT_EQ(a.outcome, AdmitOutcome::kUnchanged);
    json r = CheckLikeApiserver(a, "705ab4f5-6393-11e8-b7cc-42010a800002");
    EXPECT_EQ(r["allowed"], true);
    EXPECT_FALSE(r.contains("patch"));
  }
  // The opted-in pod is still mutated by the injection entry, as before.
  EXPECT_EQ(Admit(Review(opted_in).dump(), TestConfig()).outcome, AdmitOutcome::kPatched);
}

TEST(CheckAdmissionTest, OnlyPodCreatesAreJudgedAndBadBodiesAre400) {
  const json typo = LabelledPod({{"memsecret.io/injcet", "true"}}, json::object());
  EXPECT_EQ(CheckAdmission(Review(typo, "crm-sync", "UPDATE").dump()).outcome,
            AdmitOutcome::kUnchanged);
  json deployment = Review(typo);
  deployment["request"]["kind"] = {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}};
  EXPECT_EQ(CheckAdmission(deployment.dump()).outcome, AdmitOutcome::kUnchanged);
  EXPECT_EQ(CheckAdmission("{").http_status, 400);
  EXPECT_EQ(CheckAdmission("[]").http_status, 400);
  json no_uid = Review(typo);
  no_uid["request"].erase("uid");
  EXPECT_EQ(CheckAdmission(no_uid.dump()).http_status, 400);
  // The spec is skipped, but still has to be valid JSON.
  std::string broken = Review(typo).dump();
  broken.replace(broken.find("\"containers\""), 12, "\"containers\" 1");
  EXPECT_EQ(CheckAdmission(broken).http_status, 400);
}

TEST(AdmissionReviewTest, MalformedBodiesAre400WithAReason) {
  json no_uid = Review(Pod({}));
  no_uid["request"].erase("uid");
  json wrong_version = Review(Pod({}));
  wrong_version["apiVersion"] = "admission.k8s.io/v1beta1";
  json no_object = Review(Pod({}));
  no_object["request"].erase("object");
  json object_not_map = Review(Pod({}));
  object_not_map["request"]["object"] = "pod";
  const std::pair<std::string, const char*> cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"\xff\xfe", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "missing request"},
      {wrong_version.dump(), "expected apiVersion"},
      {no_uid.dump(), "uid"},
      {no_object.dump(), "request.object"},
      {object_not_map.dump(), "request.object"},
      {std::string(100000, '['), "not valid JSON"},
  };
  for (const auto& [body, want] : cases) {
    SCOPED_TRACE(body.substr(0, 60));
    AdmitAnswer a = Admit(body, TestConfig());
    EXPECT_EQ(a.http_status, 400);
    EXPECT_EQ(a.outcome, AdmitOutcome::kBadRequest);
    EXPECT_NE(a.body.find(want), std::string::npos) << a.body;
  }
}

TEST(AdmissionReviewTest, HostileTypesInThePodNeverCrash) {
  const json pods[] = {
      {{"metadata",
        {{"labels", {{"memsecret.io/inject", "true"}}},
         {"annotations", {{"memsecret.io/secret-db", 5}}}}}},
      {{"metadata", {{"labels", "x"}}}},
      {{"metadata",
        {{"labels", {{"memsecret.io/inject", "true"}}},
         {"annotations", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}}}},
       {"spec",
        {{"containers", json::array({1, "x", nullptr})}, {"volumes", 7}, {"initContainers", "y"}}}},
      {{"metadata",
        {{"labels", {{"memsecret.io/inject", "true"}}},
         {"annotations", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}}}},
       {"spec",
        {{"containers", json::array({{{"name", "app"},
                                      {"volumeMounts", "bad"},
                                      {"securityContext", {{"runAsUser", "root"}}}}})}}}},
  };
  for (const auto& pod : pods) {
    SCOPED_TRACE(pod.dump());
    AdmitAnswer a = Admit(Review(pod).dump(), TestConfig());
    EXPECT_EQ(a.http_status, 200);
  }
}

}  // namespace
}  // namespace memsecret::webhook
