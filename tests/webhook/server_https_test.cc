// The webhook over HTTPS as kube-apiserver uses it: a client with the CA
// pinned POSTs AdmissionReviews to /mutate?timeout=10s and validates the
// answer the way the apiserver does; plus the other routes, the error
// statuses and the metrics that move with requests. Uses the real Admit.
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "memsecret/log.h"
#include "testing/metric_value.h"
#include "testing/server_harness.h"
#include "webhook/admission/admission_review.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {
namespace {

using memsecret::testing::HttpRequest;
using memsecret::testing::MetricValue;
using memsecret::testing::ServerHarness;
using memsecret::testing::TempDir;
using memsecret::testing::WriteFileAtomically;
using nlohmann::json;

constexpr const char* kUid = "705ab4f5-6393-11e8-b7cc-42010a800002";

json Review(const std::string& ns, json annotations) {
  json pod = {{"metadata",
               {{"generateName", "crm-"},
                {"labels", {{"memsecret.io/inject", "true"}}},
                {"annotations", annotations}}},
              {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "app:1"}}})}}}};
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", kUid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", ns},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "system:serviceaccount:kube-system:replicaset-controller"}}},
            {"object", pod},
            {"dryRun", false}}}};
}

class HttpsTest : public ::testing::Test {
 protected:
  HttpsTest()
      : config_(
            *ParseConfig("policy: [{namespaces: ['*'], allow: ['aws:/genesys/{namespace}/*']}]\n")),
        server_([this](std::string_view body) { return Admit(body, config_); }) {
    WriteFileAtomically(ca_dir_.File("ca.crt"), server_.ClientOptions().ca_pem);
  }

  // The apiserver's side: TLS verified against the caBundle only.
  std::unique_ptr<httplib::SSLClient> ApiserverClient() {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", server_.port());
    client->set_ca_cert_path(ca_dir_.File("ca.crt").c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5);
    client->set_read_timeout(10);
    return client;
  }

  // Checks an answer as kube-apiserver's dispatcher does; returns response.
  json CheckLikeApiserver(const httplib::Result& res) {
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return {};
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    json body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(body.is_discarded()) << res->body;
    EXPECT_EQ(body.value("apiVersion", ""), "admission.k8s.io/v1");
    EXPECT_EQ(body.value("kind", ""), "AdmissionReview");
    const json r = body.value("response", json::object());
    EXPECT_EQ(r.value("uid", ""), kUid);
    EXPECT_TRUE(r.contains("allowed"));
    EXPECT_EQ(r.contains("patch"), r.contains("patchType"));
    if (r.contains("patchType")) {
      EXPECT_EQ(r["patchType"], "JSONPatch");
    }
    return r;
  }

  std::string Scrape() {
    auto reply = server_.Request("GET", "/metrics");
    return reply ? reply->body : "";
  }

  Config config_;
  TempDir ca_dir_;
  ServerHarness server_;
};

TEST_F(HttpsTest, ApiserverGetsPatchForAnOptedInPod) {
  auto client = ApiserverClient();
  const json review = Review("crm-sync", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
  json r =
      CheckLikeApiserver(client->Post("/mutate?timeout=10s", review.dump(), "application/json"));
  EXPECT_EQ(r.value("allowed", false), true);
  EXPECT_TRUE(r.contains("patch"));
  EXPECT_EQ(server_.metrics().admissions(AdmitOutcome::kPatched), 1u);
}

TEST_F(HttpsTest, ApiserverGetsDenialWithStatusForAForbiddenRef) {
  auto client = ApiserverClient();
  const json review = Review("staging", {{"memsecret.io/secret-db", "aws:/genesys/production/db"}});
  json r =
      CheckLikeApiserver(client->Post("/mutate?timeout=10s", review.dump(), "application/json"));
  EXPECT_EQ(r.value("allowed", true), false);
  EXPECT_EQ(r["status"].value("code", 0), 403);
  EXPECT_FALSE(r.contains("patch"));
  EXPECT_EQ(server_.metrics().admissions(AdmitOutcome::kDenied), 1u);
}

TEST_F(HttpsTest, KeepAliveConnectionServesSeveralReviews) {
  auto client = ApiserverClient();
  client->set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    const json review =
        Review("crm-sync", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
    CheckLikeApiserver(client->Post("/mutate?timeout=10s", review.dump(), "application/json"));
  }
  EXPECT_EQ(server_.metrics().admissions(AdmitOutcome::kPatched), 3u);
}

// A keep-alive connection serves keep_alive_max_requests requests, the last
// one answered with "Connection: close" (each close costs the apiserver and
// the webhook a new TLS handshake, so the default is not small).
TEST_F(HttpsTest, KeepAliveConnectionServesMaxRequestsThenCloses) {
  const size_t max = ServerOptions{}.keep_alive_max_requests;
  EXPECT_GE(max, 1000u);
  auto conn = server_.Connect();
  ASSERT_NE(conn, nullptr);
  for (size_t i = 1; i <= max; ++i) {
    std::string error;
    auto reply = conn->Exchange(memsecret::testing::HttpRequest("GET", "/healthz"), &error);
    ASSERT_TRUE(reply.has_value()) << "request " << i << ": " << error;
    ASSERT_EQ(reply->status, 200) << "request " << i;
    auto it = reply->headers.find("connection");
    const bool close = it != reply->headers.end() && it->second == "close";
    ASSERT_EQ(close, i == max) << "request " << i << " of " << max;
  }
}

TEST_F(HttpsTest, StatusCodesOfTheHttpLayer) {
  struct Case {
    const char* name;
    std::string method;
    std::string target;
    std::string body;
    int want_status;
    const char* want_content_type;  // prefix
  };
  const Case cases[] = {
      {"garbage body", "POST", "/mutate", "{not json", 400, "text/plain"},
      {"empty body", "POST", "/mutate?timeout=10s", "", 400, "text/plain"},
      {"wrong kind", "POST", "/mutate", R"({"apiVersion":"v1","kind":"Pod"})", 400, "text/plain"},
      {"oversized body", "POST", "/mutate", std::string(3 * 1024 * 1024 + 1, 'x'), 413,
       "text/plain"},
      {"unknown path", "GET", "/nope", "", 404, "text/plain"},
      {"unknown path post", "POST", "/validate", "{}", 404, "text/plain"},
      {"get mutate", "GET", "/mutate", "", 405, "text/plain"},
      {"post healthz", "POST", "/healthz", "{}", 405, "text/plain"},
      {"delete metrics", "DELETE", "/metrics", "", 405, "text/plain"},
      {"healthz", "GET", "/healthz", "", 200, "text/plain"},
      {"readyz", "GET", "/readyz", "", 200, "text/plain"},
      {"metrics", "GET", "/metrics", "", 200, "text/plain; version=0.0.4"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto reply = server_.Request(c.method, c.target, c.body);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, c.want_status) << reply->body;
    EXPECT_EQ(reply->headers["content-type"].rfind(c.want_content_type, 0), 0u)
        << reply->headers["content-type"];
    if (c.want_status == 405) {
      EXPECT_FALSE(reply->headers["allow"].empty());
    }
  }
  EXPECT_EQ(server_.metrics().admissions(AdmitOutcome::kBadRequest), 3u);
}

// Routing refusals read the whole request, so the connection stays usable.
TEST_F(HttpsTest, ConnectionStaysUsableAfterRefusedRequests) {
  auto client = server_.Connect();
  ASSERT_NE(client, nullptr);
  std::string error;
  for (const auto& [request, want] :
       std::vector<std::pair<std::string, int>>{{HttpRequest("POST", "/healthz", "{\"a\":1}"), 405},
                                                {HttpRequest("POST", "/nope", "{\"a\":1}"), 404},
                                                {HttpRequest("GET", "/healthz"), 200}}) {
    auto reply = client->Exchange(request, &error);
    ASSERT_TRUE(reply.has_value()) << error;
    EXPECT_EQ(reply->status, want);
  }
}

// A body over the limit is refused from its Content-Length alone, before it
// is read; the server then closes the connection (after draining what the
// client still sends, so the 413 is not lost to a reset).
TEST_F(HttpsTest, OversizedBodyIsRefusedAndTheConnectionClosed) {
  auto client = server_.Connect();
  ASSERT_NE(client, nullptr);
  std::string error;
  auto reply =
      client->Exchange(HttpRequest("POST", "/mutate", std::string(4 * 1024 * 1024, 'x')), &error);
  ASSERT_TRUE(reply.has_value()) << error;
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_FALSE(client->Exchange(HttpRequest("GET", "/healthz"), &error).has_value());
  auto fresh = server_.Request("GET", "/healthz");
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->status, 200);
}

TEST_F(HttpsTest, MetricsMoveWithRequests) {
  const std::string patched = "memsecret_webhook_admissions_total{outcome=\"patched\"}";
  const std::string bad = "memsecret_webhook_admissions_total{outcome=\"bad_request\"}";
  const std::string count = "memsecret_webhook_admission_duration_seconds_count";
  const std::string before = Scrape();
  EXPECT_EQ(MetricValue(before, patched), 0.0);
  EXPECT_EQ(MetricValue(before, count), 0.0);

  const json review = Review("crm-sync", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
  ASSERT_EQ(server_.Request("POST", "/mutate?timeout=10s", review.dump())->status, 200);
  ASSERT_EQ(server_.Request("POST", "/mutate", "garbage")->status, 400);
  ASSERT_EQ(server_.Request("GET", "/nope")->status, 404);

  const std::string after = Scrape();
  EXPECT_EQ(MetricValue(after, patched), 1.0);
  EXPECT_EQ(MetricValue(after, bad), 1.0);
  EXPECT_EQ(MetricValue(after, "memsecret_webhook_injections_total"), 1.0);
  EXPECT_EQ(MetricValue(after, count), 2.0);
  EXPECT_EQ(MetricValue(after, "memsecret_webhook_http_rejections_total{code=\"404\"}"), 1.0);
  // Nothing from the request leaks into labels.
  EXPECT_EQ(after.find("crm-sync"), std::string::npos);
  EXPECT_EQ(after.find(kUid), std::string::npos);
}

// The check entry (POST /check) on the same server: a typo is denied with
// the fix, an opted-in pod passes it and is still mutated by /mutate, and each
// entry has its own metrics.
TEST_F(HttpsTest, CheckEntryDeniesTyposAndCountsApart) {
  auto client = ApiserverClient();
  json typo = Review("crm-sync", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
  typo["request"]["object"]["metadata"]["labels"] = {{"memsecret.io/injcet", "true"}};
  json r = CheckLikeApiserver(client->Post("/check?timeout=2s", typo.dump(), "application/json"));
  EXPECT_EQ(r.value("allowed", true), false);
  EXPECT_FALSE(r.contains("patch"));
  const std::string message = r["status"].value("message", "");
  EXPECT_NE(message.find("did you mean memsecret.io/inject: \"true\""), std::string::npos)
      << message;

  const json opted_in =
      Review("crm-sync", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}});
  r = CheckLikeApiserver(client->Post("/check?timeout=2s", opted_in.dump(), "application/json"));
  EXPECT_EQ(r.value("allowed", false), true);
  EXPECT_FALSE(r.contains("patch"));
  r = CheckLikeApiserver(client->Post("/mutate?timeout=10s", opted_in.dump(), "application/json"));
  EXPECT_TRUE(r.contains("patch"));

  EXPECT_EQ(server_.Request("GET", "/check")->status, 405);
  const std::string metrics = Scrape();
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_checks_total{outcome=\"denied\"}"), 1.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_checks_total{outcome=\"unchanged\"}"), 1.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_check_duration_seconds_count"), 2.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_admissions_total{outcome=\"patched\"}"), 1.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_admissions_total{outcome=\"denied\"}"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_denials_total"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "memsecret_webhook_admission_duration_seconds_count"), 1.0);
}

// A pod with thousands of near-miss keys: the check's log line names the
// first problems and counts them all, as the response's message does, rather
// than writing every one (100 000 keys made a 12.5 MB line).
TEST_F(HttpsTest, CheckLogLineIsBoundedWhateverTheProblemCount) {
  constexpr int kKeys = 3000;
  json annotations = json::object();
  for (int i = 0; i < kKeys; ++i)
    annotations["memsecrets.io/secret-" + std::to_string(100000 + i)] = "aws:/x";
  const json review = Review("crm-sync", annotations);
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  InitJsonLogging("webhook", "info", LogWrites::kPerLine);  // the webhook's lines, on stderr
  ::testing::internal::CaptureStderr();
  auto client = ApiserverClient();
  json r = CheckLikeApiserver(client->Post("/check?timeout=2s", review.dump(), "application/json"));
  server_.StopAndJoin();  // every line written
  FlushLogs();
  const std::string log = ::testing::internal::GetCapturedStderr();
  spdlog::set_default_logger(previous);
  EXPECT_EQ(r.value("allowed", true), false);
  EXPECT_NE(r["status"].value("message", "").find("more"), std::string::npos);
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find("\"msg\":\"opt_in_check\"") != std::string::npos) lines.push_back(line);
  ASSERT_EQ(lines.size(), 1u) << log.substr(0, 2000);
  EXPECT_LT(lines[0].size(), 8000u) << lines[0].substr(0, 300);
  EXPECT_NE(lines[0].find("\"problem_count\":" + std::to_string(kKeys)), std::string::npos)
      << lines[0].substr(0, 300);
  EXPECT_NE(lines[0].find("memsecrets.io/secret-100000"), std::string::npos);
  EXPECT_EQ(lines[0].find("memsecrets.io/secret-102999"), std::string::npos);
}

TEST_F(HttpsTest, HandlerExceptionBecomes500WithoutDetails) {
  ServerHarness throwing([](std::string_view) -> AdmitAnswer {
    throw std::runtime_error("internal detail aws:/genesys/x");
  });
  auto reply = throwing.Request("POST", "/mutate", "{}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body.find("aws:/"), std::string::npos);
  EXPECT_TRUE(reply->headers.find("exception_what") == reply->headers.end());
}

}  // namespace
}  // namespace memsecret::webhook
