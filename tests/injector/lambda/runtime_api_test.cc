// The Runtime API client: parsing the next invocation, the error document,
// and the requests HttpRuntimeApi sends (paths, headers, bodies, timeouts).
#include "injector/lambda/runtime_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "testing/oauth_fakes.h"

namespace memsecret::injector::lambda {
namespace {

using oauth::testing::FakeHttpClient;

HttpResponse NextResponse(HttpHeaders headers, std::string body = R"({"Step":"setSecret"})") {
  HttpResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(RuntimeApiBase, FromTheEnvironmentValue) {
  EXPECT_EQ(*RuntimeApiBase("127.0.0.1:9001"), "http://127.0.0.1:9001/2018-06-01/runtime");
  EXPECT_EQ(*RuntimeApiBase("[::1]:9001"), "http://[::1]:9001/2018-06-01/runtime");
  for (const char* bad : {"", "http://127.0.0.1:9001", "127.0.0.1:9001/x", "a b", "h?x"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(RuntimeApiBase(bad).status().code(), Code::kInvalidArgument);
  }
}

TEST(ParseNextInvocation, ReadsTheHeaders) {
  auto inv = ParseNextInvocation(NextResponse(
      {{"lambda-runtime-aws-request-id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd"},
       {"Lambda-Runtime-Deadline-Ms", "1542409706888"},
       {"Lambda-Runtime-Invoked-Function-Arn",
        "arn:aws:lambda:us-east-2:123456789012:function:rot"},
       {"Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1"}}));
  ASSERT_TRUE(inv.ok()) << inv.status().message();
  EXPECT_EQ(inv->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(inv->deadline_ms, 1542409706888);
  EXPECT_EQ(inv->function_arn, "arn:aws:lambda:us-east-2:123456789012:function:rot");
  EXPECT_EQ(inv->trace_id, "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1");
  EXPECT_EQ(inv->payload, R"({"Step":"setSecret"})");
}

TEST(ParseNextInvocation, RefusesWhatCannotBeAnswered) {
  EXPECT_EQ(ParseNextInvocation(NextResponse({})).status().code(), Code::kInvalidArgument);
  // The id goes into the answer's URL path.
  EXPECT_EQ(ParseNextInvocation(NextResponse({{"Lambda-Runtime-Aws-Request-Id", "../init/error"}}))
                .status()
                .code(),
            Code::kInvalidArgument);
  HttpResponse failed = NextResponse({{"Lambda-Runtime-Aws-Request-Id", "abc"}});
  failed.status = 500;
  EXPECT_EQ(ParseNextInvocation(failed).status().code(), Code::kUnavailable);
  // A deadline that is not a number is left out, not an error.
  auto inv = ParseNextInvocation(NextResponse(
      {{"Lambda-Runtime-Aws-Request-Id", "abc"}, {"Lambda-Runtime-Deadline-Ms", "soon"}}));
  ASSERT_TRUE(inv.ok());
  EXPECT_FALSE(inv->deadline_ms.has_value());
}

TEST(EncodeFunctionError, IsTheDocumentedShape) {
  auto j = nlohmann::json::parse(
      EncodeFunctionError({"Rotation.Unavailable", "testSecret s: \"quoted\"\nline"}));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"errorMessage":"testSecret s: \"quoted\"\nline",
                                         "errorType":"Rotation.Unavailable","stackTrace":[]})"));
}

TEST(HttpRuntimeApi, SendsTheFourCalls) {
  FakeHttpClient http;
  http.Push(NextResponse({{"Lambda-Runtime-Aws-Request-Id", "req-1"}}));
  HttpResponse accepted;
  accepted.status = 202;
  accepted.body = R"({"status":"OK"})";
  HttpRuntimeApi api("http://127.0.0.1:9001/2018-06-01/runtime", &http);
  ASSERT_TRUE(api.Next().ok());
  http.Push(accepted);
  EXPECT_TRUE(api.Respond("req-1", "{}").ok());
  EXPECT_TRUE(api.Fail("req-1", {"Rotation.NotFound", "createSecret s: gone"}).ok());
  EXPECT_TRUE(
      api.InitError({"Rotation.InvalidConfig", "MEMSECRET_ROTATION_ADMIN is not set"}).ok());
  ASSERT_EQ(http.requests.size(), 4u);
  const auto& next = http.requests[0];
  EXPECT_EQ(next.method, "GET");
  EXPECT_EQ(next.url, "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
  EXPECT_GE(next.timeout, std::chrono::hours(1)) << "next blocks until an invocation arrives";
  EXPECT_EQ(http.requests[1].url,
            "http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(http.requests[1].body, "{}");
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[1], "Lambda-Runtime-Function-Error-Type"), "");
  EXPECT_EQ(http.requests[2].url,
            "http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-1/error");
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[2], "Lambda-Runtime-Function-Error-Type"),
            "Rotation.NotFound");
  EXPECT_EQ(nlohmann::json::parse(http.requests[2].body)["errorType"], "Rotation.NotFound");
  EXPECT_EQ(http.requests[3].url, "http://127.0.0.1:9001/2018-06-01/runtime/init/error");
  EXPECT_EQ(FakeHttpClient::HeaderOf(http.requests[3], "Lambda-Runtime-Function-Error-Type"),
            "Rotation.InvalidConfig");
}

TEST(HttpRuntimeApi, ClassifiesTheAnswersToAPost) {
  const struct {
    int status;
    Code want;
  } cases[] = {{202, Code::kOk},
               {400, Code::kInvalidArgument},
               {413, Code::kInvalidArgument},
               {403, Code::kFailedPrecondition},
               {500, Code::kUnavailable}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.status);
    FakeHttpClient http;
    HttpResponse r;
    r.status = c.status;
    http.Push(r);
    HttpRuntimeApi api("http://127.0.0.1:9001/2018-06-01/runtime", &http);
    EXPECT_EQ(api.Respond("req-1", "{}").code(), c.want);
  }
  FakeHttpClient down;  // no scripted answer: a transport failure
  HttpRuntimeApi api("http://127.0.0.1:9001/2018-06-01/runtime", &down);
  EXPECT_EQ(api.Respond("req-1", "{}").code(), Code::kUnavailable);
  EXPECT_EQ(api.Respond("bad/id", "{}").code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace memsecret::injector::lambda
