// Micro-benchmark of the pure admission path: Admit() on an AdmissionReview
// body (decode + parse annotations + policy + plan + patch + encode) and
// Mutate() alone (annotations + policy + plan + patch from the pod's facts),
// for pods with 1, 10 and 50 containers and 6 annotations; and the check
// entry's CheckAdmission() on the same reviews (it sees every pod creation,
// so it must cost well under Admit): on the opted-in pod and on an ordinary
// pod without any memsecret label or annotation (the common case).
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "webhook/admission/admission_review.h"
#include "webhook/admission/mutator.h"
#include "webhook/admission/pod_facts.h"

namespace {

using nlohmann::json;
using namespace memsecret::webhook;

const Config& BenchConfig() {
  static const Config config = ParseConfig(R"(
aws: {region: eu-west-1}
oauth: {allowedTokenUrls: ["https://idp.example.com/oauth2/token"]}
policy:
  - namespaces: ["crm-sync", "crm-sync-*"]
    allow: ["aws:/genesys/production/crm-sync-service/*"]
  - namespaces: ["*"]
    allow: ["aws:/genesys/{namespace}/{serviceAccount}/*"]
)")
                                   .value();
  return config;
}

json MakePod(int containers) {
  json list = json::array();
  for (int i = 0; i < containers; ++i)
    list.push_back(
        {{"name", "c" + std::to_string(i)},
         {"image", "registry.example.com/crm-sync:1.4." + std::to_string(i)},
         {"env", json::array({{{"name", "PORT"}, {"value", "8080"}},
                              {{"name", "LOG_LEVEL"}, {"value", "info"}}})},
         {"volumeMounts", json::array({{{"name", "config"}, {"mountPath", "/etc/crm"}}})},
         {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}}});
  const std::string p = "aws:/genesys/production/crm-sync-service/";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"generateName", "crm-sync-service-7d9f8b-"},
            {"labels", {{"app", "crm-sync"}, {"memsecret.io/inject", "true"}}},
            {"annotations",
             {{"memsecret.io/secret-client-id", p + "oauth#clientId"},
              {"memsecret.io/secret-db.json", p + "db"},
              {"memsecret.io/format-db.json", "json"},
              {"memsecret.io/token-genesys", p + "oauth"},
              {"memsecret.io/issuer-genesys", "genesys:mypurecloud.ie"},
              {"memsecret.io/refresh-interval", "10m"}}}}},
          {"spec",
           {{"serviceAccountName", "crm-sync-service"},
            {"securityContext", {{"runAsUser", 1000}, {"fsGroup", 2000}}},
            {"volumes", json::array({{{"name", "config"}, {"configMap", {{"name", "crm-config"}}}},
                                     {{"name", "kube-api-access-x"},
                                      {"projected", {{"sources", json::array()}}}}})},
            {"containers", list}}}};
}

json OrdinaryPod(int containers) {
  json pod = MakePod(containers);
  pod["metadata"]["labels"] = {{"app", "web"}, {"app.kubernetes.io/name", "web"}};
  pod["metadata"]["annotations"] = {{"kubectl.kubernetes.io/restartedAt", "2026-12-01T10:00:00Z"}};
  return pod;
}

std::string MakeReview(int containers, bool opted_in = true) {
  return json({{"apiVersion", "admission.k8s.io/v1"},
               {"kind", "AdmissionReview"},
               {"request",
                {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
                 {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                 {"namespace", "crm-sync"},
                 {"operation", "CREATE"},
                 {"object", opted_in ? MakePod(containers) : OrdinaryPod(containers)}}}})
      .dump();
}

// The pure decision on the pod's facts (as Admit reads them from the review).
void BM_Mutate(benchmark::State& state) {
  const PodFacts pod = PodFactsFromJson(MakePod(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    MutationResult r = Mutate(pod, "crm-sync", BenchConfig());
    if (r.kind != MutationResult::Kind::kPatched) state.SkipWithError("not patched");
    benchmark::DoNotOptimize(r);
  }
}

void BM_Admit(benchmark::State& state) {
  std::string body = MakeReview(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    AdmitAnswer a = Admit(body, BenchConfig());
    if (a.outcome != AdmitOutcome::kPatched) state.SkipWithError("not patched");
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
}

// The check entry: arg 0 = containers, arg 1 = 1 for the opted-in pod, 0 for
// an ordinary one. Both are allowed without a patch.
void BM_Check(benchmark::State& state) {
  const std::string body = MakeReview(static_cast<int>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    AdmitAnswer a = CheckAdmission(body);
    if (a.outcome != AdmitOutcome::kUnchanged) state.SkipWithError("not allowed");
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
}

#ifdef MEMSECRET_BENCH_FIXTURES
// The exact request and configuration of bench/webhook_load.sh (Deployment
// pod, 3 containers, existing volumes, 6 memsecret annotations).
std::string ReadFixture(const char* name) {
  std::ifstream in(std::string(MEMSECRET_BENCH_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void BM_AdmitLoadFixture(benchmark::State& state) {
  static const Config config = ParseConfig(ReadFixture("webhook-config.yaml")).value();
  const std::string body = ReadFixture("admission-review.json");
  for (auto _ : state) {
    AdmitAnswer a = Admit(body, config);
    if (a.outcome != AdmitOutcome::kPatched) state.SkipWithError("not patched");
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_AdmitLoadFixture)->Unit(benchmark::kMicrosecond);

void BM_CheckLoadFixture(benchmark::State& state) {
  const std::string body = ReadFixture("admission-review.json");
  for (auto _ : state) {
    AdmitAnswer a = CheckAdmission(body);
    if (a.outcome != AdmitOutcome::kUnchanged) state.SkipWithError("not allowed");
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_CheckLoadFixture)->Unit(benchmark::kMicrosecond);
#endif

BENCHMARK(BM_Mutate)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Admit)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Check)->ArgsProduct({{1, 10, 50}, {0, 1}})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
