// AnswerAgentRequest, table-driven: the Agent's checks in the Agent's order
// (X-Forwarded-For, token, method), both path forms, the query rules, the
// GetSecretValue JSON and the 404s — and no answer but a 200 carries a value,
// none the token. Then what reaches the store (a fake): refreshNow, other
// stages and versions, expired and evicted entries, an outage.
#include "injector/agent/agent_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "injector/agent/agent_token.h"
#include "injector/agent/cache_feed.h"
#include "memsecret/plan/backends.h"
#include "tests/injector/agent/fake_secrets_store.h"

namespace memsecret::injector::agent {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
constexpr const char* kValue = R"({"user":"crm","password":"TOP-SECRET-VALUE"})";

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

class AgentRequestTest : public ::testing::Test {
 protected:
  AgentRequestTest()
      : cache_({Ref("aws:app/db"), Ref("aws:app/bin"), Ref("aws:app/later")}, &clock_,
               std::chrono::seconds(300)),
        feed_(&store_, &cache_),
        fetch_(&feed_, &clock_, std::chrono::milliseconds(100)) {
    store_.Put("app/db", {{"ver-1", kValue, {"AWSCURRENT"}}, {"ver-0", "OLD", {"AWSPREVIOUS"}}});
    store_.Put("app/later", {{"l-1", "LATER", {"AWSCURRENT"}}});
    FetchedSecret f;
    f.value = SecretValue(kValue);
    f.version = "ver-1";
    f.created = WallTime(std::chrono::milliseconds(1523477145713));
    f.metadata = SecretMetadata{kArn, "app/db", {"AWSCURRENT"}, false};
    cache_.Store(Ref("aws:app/db"), {}, f);
    FetchedSecret b;
    b.value = SecretValue(std::string("\x00\xff\x01", 3));
    b.version = "ver-b";
    b.metadata = SecretMetadata{kArn + std::string("x"), "app/bin", {"AWSCURRENT", "L"}, true};
    cache_.Store(Ref("aws:app/bin"), {}, b);
  }

  http::HttpResponse Ask(std::string_view method, std::string_view target, std::string headers) {
    target_ = std::string(target);
    headers_ = std::move(headers);
    const size_t q = target_.find('?');
    http::HttpRequestView view{
        method,
        target_,
        std::string_view(target_).substr(0, q),
        q == std::string::npos ? "" : std::string_view(target_).substr(q + 1),
        headers_,
        ""};
    return AnswerAgentRequest(view, token_, cache_, fetch_);
  }
  std::string Value(const http::HttpResponse& r) {
    if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
    return nlohmann::json::parse(r.body).value("SecretString", "");
  }

  SecretValue token_{kToken};
  FakeClock clock_;
  FakeSecretsStore store_;
  AgentSecretCache cache_;
  AgentCacheFeed feed_;
  OnDemandFetch fetch_;
  std::string target_, headers_;
};

const std::string kGood = std::string("X-Aws-Parameters-Secrets-Token: ") + kToken + "\r\n";

TEST_F(AgentRequestTest, StatusTable) {
  struct Case {
    const char* name;
    const char* method;
    std::string target;
    std::string headers;
    int status;
    const char* body_has;
  } cases[] = {
      {"by name", "GET", "/secretsmanager/get?secretId=app/db", kGood, 200, "\"Name\":\"app/db\""},
      {"by ARN, encoded", "GET",
       "/secretsmanager/"
       "get?secretId=arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A123456789012%3Asecret%"
       "3Aapp%2Fdb-AbCdEf",
       kGood, 200, "\"VersionId\":\"ver-1\""},
      {"stage matches", "GET", "/secretsmanager/get?secretId=app/db&versionStage=AWSCURRENT", kGood,
       200, "AWSCURRENT"},
      {"version matches", "GET", "/secretsmanager/get?versionId=ver-1&secretId=app/db", kGood, 200,
       "ver-1"},
      {"refreshNow", "GET", "/secretsmanager/get?secretId=app/db&refreshNow=TRUE", kGood, 200,
       "ver-1"},
      {"path form", "GET", "/v1/app/db", kGood, 200, "\"Name\":\"app/db\""},
      {"path form, encoded ARN, stage", "GET",
       "/v1/arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A123456789012%3Asecret%3Aapp%2Fdb-AbCdEf"
       "?versionStage=AWSCURRENT",
       kGood, 200, "\"VersionId\":\"ver-1\""},
      {"path form, no id", "GET", "/v1/", kGood, 400, "missing secret ID"},
      {"path form, secretId parameter", "GET", "/v1/app/db?secretId=app/x", kGood, 400,
       "unknown parameter: secretId"},
      {"path form, undeclared", "GET", "/v1/app/other", kGood, 404, "did not declare"},
      {"path form, no token", "GET", "/v1/app/db", "", 403, "Bad Token"},
      {"header name case", "GET", "/secretsmanager/get?secretId=app/db",
       std::string("x-aws-parameters-secrets-token: ") + kToken + "\r\n", 200, "ver-1"},
      {"previous stage", "GET", "/secretsmanager/get?secretId=app/db&versionStage=AWSPREVIOUS",
       kGood, 200, "\"SecretString\":\"OLD\""},
      {"other version", "GET", "/secretsmanager/get?secretId=app/db&versionId=ver-0", kGood, 200,
       "\"VersionId\":\"ver-0\""},
      {"no such version", "GET", "/secretsmanager/get?secretId=app/db&versionId=ver-9", kGood, 404,
       "ResourceNotFoundException"},
      {"no such stage", "GET", "/secretsmanager/get?secretId=app/db&versionStage=AWSPENDING", kGood,
       404, "ResourceNotFoundException"},
      {"undeclared", "GET", "/secretsmanager/get?secretId=app/other", kGood, 404,
       "did not declare"},
      {"not cached yet: fetched", "GET", "/secretsmanager/get?secretId=app/later", kGood, 200,
       "LATER"},
      {"no secretId", "GET", "/secretsmanager/get?versionStage=AWSCURRENT", kGood, 400,
       "missing parameter secretId"},
      {"empty secretId", "GET", "/secretsmanager/get?secretId=", kGood, 400,
       "missing parameter secretId"},
      {"no query", "GET", "/secretsmanager/get", kGood, 400, "missing parameter secretId"},
      {"unknown parameter", "GET", "/secretsmanager/get?secretId=app/db&stage=x", kGood, 400,
       "unknown parameter: stage"},
      {"repeated parameter", "GET", "/secretsmanager/get?secretId=app/db&secretId=app/x", kGood,
       400, "given twice"},
      {"bad encoding", "GET", "/secretsmanager/get?secretId=app%2", kGood, 400, "percent-encoding"},
      {"bad refreshNow", "GET", "/secretsmanager/get?secretId=app/db&refreshNow=yes", kGood, 400,
       "invalid refreshNow value"},
      {"empty stage", "GET", "/secretsmanager/get?secretId=app/db&versionStage=", kGood, 400,
       "must not be empty"},
      {"no token", "GET", "/secretsmanager/get?secretId=app/db", "", 403, "Bad Token"},
      {"wrong token", "GET", "/secretsmanager/get?secretId=app/db",
       "X-Aws-Parameters-Secrets-Token: 0123\r\n", 403, "Bad Token"},
      {"token one char off", "GET", "/secretsmanager/get?secretId=app/db",
       "X-Aws-Parameters-Secrets-Token: " + std::string(kToken).substr(0, 63) + "0\r\n", 403,
       "Bad Token"},
      {"empty token", "GET", "/secretsmanager/get?secretId=app/db",
       "X-Aws-Parameters-Secrets-Token: \r\n", 403, "Bad Token"},
      {"two tokens", "GET", "/secretsmanager/get?secretId=app/db", kGood + kGood, 403, "Bad Token"},
      {"forwarded", "GET", "/secretsmanager/get?secretId=app/db",
       kGood + "X-Forwarded-For: 10.0.0.1\r\n", 400, "Forwarded"},
      {"forwarded without token", "GET", "/secretsmanager/get?secretId=app/db",
       "X-Forwarded-For: 10.0.0.1\r\n", 400, "Forwarded"},
      {"POST", "POST", "/secretsmanager/get?secretId=app/db", kGood, 405, "Not allowed"},
      {"HEAD", "HEAD", "/secretsmanager/get?secretId=app/db", kGood, 405, "Not allowed"},
      {"POST without token", "POST", "/secretsmanager/get?secretId=app/db", "", 403, "Bad Token"},
      {"other path", "GET", "/secretsmanager/getx?secretId=app/db", kGood, 404, "Not found"},
      {"ping", "GET", "/ping", "", 200, "healthy"},
      {"ping POST", "POST", "/ping", "", 405, "Not allowed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    clock_.Advance(std::chrono::seconds(1));  // each case its own fetch budget
    http::HttpResponse r = Ask(c.method, c.target, c.headers);
    EXPECT_EQ(r.status, c.status);
    EXPECT_NE(r.body.find(c.body_has), std::string::npos) << r.body;
    if (r.status != 200) {
      EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("OLD"), std::string::npos) << r.body;
    }
    EXPECT_EQ(r.body.find(kToken), std::string::npos);
    if (r.status == 405) {
      EXPECT_EQ(r.allow, "GET");
    }
  }
}

TEST_F(AgentRequestTest, GetSecretValueJsonShape) {
  http::HttpResponse r = Ask("GET", "/secretsmanager/get?secretId=app/db", kGood);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, http::kContentTypeJson);
  // The Agent's field order and CreatedDate as a string of epoch seconds.
  EXPECT_EQ(r.body, std::string(R"({"ARN":")") + kArn +
                        R"(","Name":"app/db","VersionId":"ver-1","SecretString":)" +
                        nlohmann::json(kValue).dump() +
                        R"(,"VersionStages":["AWSCURRENT"],"CreatedDate":"1523477145.713"})");
  http::HttpResponse b = Ask("GET", "/secretsmanager/get?secretId=app/bin", kGood);
  ASSERT_EQ(b.status, 200);
  auto j = nlohmann::json::parse(b.body);
  EXPECT_EQ(j["SecretBinary"], "AP8B");
  EXPECT_FALSE(j.contains("SecretString"));
  EXPECT_TRUE(j["CreatedDate"].is_null());
}

TEST_F(AgentRequestTest, RefreshNowFetchesFromTheStoreAtMostOncePerSecond) {
  const std::string get = "/secretsmanager/get?secretId=app/db";
  ASSERT_EQ(Value(Ask("GET", get, kGood)), kValue);  // from the cache: no call
  EXPECT_EQ(store_.calls(), 0);
  // The store rotates; the cache has not seen it yet (the jobs refresh later).
  store_.Put("app/db", {{"ver-2", "ROTATED", {"AWSCURRENT"}}, {"ver-1", kValue, {"AWSPREVIOUS"}}});
  EXPECT_EQ(Value(Ask("GET", get, kGood)), kValue);
  EXPECT_EQ(Value(Ask("GET", get + "&refreshNow=true", kGood)), "ROTATED");
  EXPECT_EQ(store_.calls(), 1);
  // What refreshNow fetched is the cache's entry from now on.
  EXPECT_EQ(Value(Ask("GET", get, kGood)), "ROTATED");
  // A loop of refreshNow: answered from the fetch younger than a second.
  for (int i = 0; i < 50; ++i) Ask("GET", get + "&refreshNow=1", kGood);
  EXPECT_EQ(store_.calls(), 1);
  clock_.Advance(std::chrono::seconds(1));
  Ask("GET", "/v1/app/db?refreshNow=true", kGood);
  EXPECT_EQ(store_.calls(), 2);
  Ask("GET", get + "&refreshNow=false", kGood);
  EXPECT_EQ(store_.calls(), 2);
}

TEST_F(AgentRequestTest, OtherStagesAndVersionsAreFetchedOnceThenCached) {
  const std::string previous = "/secretsmanager/get?secretId=app/db&versionStage=AWSPREVIOUS";
  EXPECT_EQ(Value(Ask("GET", previous, kGood)), "OLD");
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(Value(Ask("GET", previous, kGood)), "OLD");
  EXPECT_EQ(Value(Ask("GET", "/v1/app/db?versionId=ver-0", kGood)), "OLD");  // the same version
  EXPECT_EQ(store_.calls(), 1);
  // After one refresh interval it is read again.
  store_.Put("app/db", {{"ver-2", "NEW", {"AWSCURRENT"}}, {"ver-1", kValue, {"AWSPREVIOUS"}}});
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_EQ(Value(Ask("GET", previous, kGood)), kValue);
  EXPECT_EQ(store_.calls(), 2);
}

TEST_F(AgentRequestTest, ADeletedSecretStopsBeingServedAnOutageDoesNot) {
  const std::string get = "/secretsmanager/get?secretId=app/db";
  // An outage: the cached value is still served, with or without refreshNow.
  store_.Fail(Status(Code::kUnavailable, "connect: refused"));
  EXPECT_EQ(Value(Ask("GET", get + "&refreshNow=true", kGood)), kValue);
  // ...until it is older than the maximum age (15 min at a 5 min interval).
  clock_.Advance(std::chrono::minutes(15));
  http::HttpResponse expired = Ask("GET", get, kGood);
  EXPECT_EQ(expired.status, 502);
  EXPECT_NE(expired.body.find("ConnectionError"), std::string::npos);
  EXPECT_EQ(expired.body.find("TOP-SECRET"), std::string::npos);
  store_.Fail(Status::Ok());
  clock_.Advance(std::chrono::seconds(1));           // the failed fetch answered for one second
  EXPECT_EQ(Value(Ask("GET", get, kGood)), kValue);  // fetched again

  // Deleted: the next refresh (here the job's, through the feed) evicts it.
  store_.Delete("app/db");
  EXPECT_FALSE(feed_.Fetch(Ref("aws:app/db")).ok());
  clock_.Advance(std::chrono::seconds(1));
  http::HttpResponse gone = Ask("GET", get, kGood);
  EXPECT_EQ(gone.status, 404);
  EXPECT_NE(gone.body.find("ResourceNotFoundException"), std::string::npos);

  // Access revoked: the same, answered as the Agent relays it.
  store_.Put("app/db", {{"ver-1", kValue, {"AWSCURRENT"}}});
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Value(Ask("GET", get, kGood)), kValue);
  store_.Fail(PermissionDenied("AccessDeniedException"));
  EXPECT_FALSE(feed_.Fetch(Ref("aws:app/db")).ok());
  clock_.Advance(std::chrono::seconds(1));
  http::HttpResponse denied = Ask("GET", get, kGood);
  EXPECT_EQ(denied.status, 400);
  EXPECT_NE(denied.body.find("AccessDeniedException"), std::string::npos);
  EXPECT_EQ(denied.body.find("TOP-SECRET"), std::string::npos);
}

TEST_F(AgentRequestTest, AHangingStoreHoldsARequestOnlyUntilTheCacheAnswers) {
  store_.Hold(true);
  // refreshNow cannot reach the store: the cached value, after the wait bound.
  EXPECT_EQ(Value(Ask("GET", "/secretsmanager/get?secretId=app/db&refreshNow=true", kGood)),
            kValue);
  // Nothing cached for this one: 504, as the Agent answers a timeout.
  http::HttpResponse r = Ask("GET", "/v1/app/db?versionStage=AWSPREVIOUS", kGood);
  EXPECT_EQ(r.status, 504);
  EXPECT_NE(r.body.find("TimeoutError"), std::string::npos);
  store_.Hold(false);  // the fetches in flight end; the fixture's destructor waits for them
}

TEST(AgentFetchFailureTest, AnswersAsTheAgentRelaysSecretsManager) {
  struct Case {
    Code code;
    int status;
    const char* type;
  } cases[] = {
      {Code::kNotFound, 404, "ResourceNotFoundException"},
      {Code::kPermissionDenied, 400, "AccessDeniedException"},
      {Code::kFailedPrecondition, 400, "InvalidRequestException"},
      {Code::kResourceExhausted, 400, "ThrottlingException"},
      {Code::kDeadlineExceeded, 504, "TimeoutError"},
      {Code::kUnavailable, 502, "ConnectionError"},
      {Code::kUnauthenticated, 500, "InternalFailure"},
  };
  for (const Case& c : cases) {
    http::HttpResponse r = AnswerFetchFailure(Status(c.code, "detail TOP-SECRET"));
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(nlohmann::json::parse(r.body)["__type"], c.type);
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos);
  }
}

TEST(AgentCreatedDateTest, Table) {
  using std::chrono::milliseconds;
  EXPECT_EQ(AgentCreatedDate(WallTime(milliseconds(1523477145000))), "1523477145");
  EXPECT_EQ(AgentCreatedDate(WallTime(milliseconds(1523477145700))), "1523477145.7");
  EXPECT_EQ(AgentCreatedDate(WallTime(milliseconds(1523477145010))), "1523477145.01");
  EXPECT_EQ(AgentCreatedDate(WallTime(milliseconds(0))), "0");
}

TEST(AgentTokenTest, RandomHexAndConstantTimeComparison) {
  auto a = NewAgentToken();
  auto b = NewAgentToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), kAgentTokenHexChars);
  EXPECT_EQ(a->Reveal().find_first_not_of("0123456789abcdef"), std::string_view::npos);
  EXPECT_NE(a->Reveal(), b->Reveal());
  EXPECT_TRUE(AgentTokenMatches(a->Reveal(), *a));
  EXPECT_FALSE(AgentTokenMatches(b->Reveal(), *a));
  EXPECT_FALSE(AgentTokenMatches(a->Reveal().substr(1), *a));
  EXPECT_FALSE(AgentTokenMatches("", SecretValue()));
}

}  // namespace
}  // namespace memsecret::injector::agent
