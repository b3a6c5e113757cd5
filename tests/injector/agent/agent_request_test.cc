// AnswerAgentRequest, table-driven: the Agent's checks in the Agent's order
// (X-Forwarded-For, token, method), the query rules, the GetSecretValue JSON
// and the 404s — and no answer but a 200 carries a value, none the token.
#include "injector/agent/agent_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "injector/agent/agent_token.h"

namespace memsecret::injector::agent {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
constexpr const char* kValue = R"({"user":"crm","password":"TOP-SECRET-VALUE"})";

SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }

class AgentRequestTest : public ::testing::Test {
 protected:
  AgentRequestTest() : cache_({Ref("aws:app/db"), Ref("aws:app/bin"), Ref("aws:app/later")}) {
    FetchedSecret f;
    f.value = SecretValue(kValue);
    f.version = "ver-1";
    f.created = WallTime(std::chrono::milliseconds(1523477145713));
    f.aws = AwsSecretMetadata{kArn, "app/db", {"AWSCURRENT"}, false};
    cache_.Store(Ref("aws:app/db"), {}, f);
    FetchedSecret b;
    b.value = SecretValue(std::string("\x00\xff\x01", 3));
    b.version = "ver-b";
    b.aws = AwsSecretMetadata{kArn + std::string("x"), "app/bin", {"AWSCURRENT", "L"}, true};
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
    return AnswerAgentRequest(view, token_, cache_);
  }

  SecretValue token_{kToken};
  AgentSecretCache cache_;
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
      {"refreshNow accepted", "GET", "/secretsmanager/get?secretId=app/db&refreshNow=TRUE", kGood,
       200, "ver-1"},
      {"header name case", "GET", "/secretsmanager/get?secretId=app/db",
       std::string("x-aws-parameters-secrets-token: ") + kToken + "\r\n", 200, "ver-1"},
      {"other stage", "GET", "/secretsmanager/get?secretId=app/db&versionStage=AWSPREVIOUS", kGood,
       404, "ResourceNotFoundException"},
      {"other version", "GET", "/secretsmanager/get?secretId=app/db&versionId=ver-0", kGood, 404,
       "does not match"},
      {"undeclared", "GET", "/secretsmanager/get?secretId=app/other", kGood, 404,
       "did not declare"},
      {"not cached yet", "GET", "/secretsmanager/get?secretId=app/later", kGood, 404,
       "not been fetched"},
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
      {"no token", "GET", "/secretsmanager/get?secretId=app/db", "", 401, "Missing token"},
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
      {"POST without token", "POST", "/secretsmanager/get?secretId=app/db", "", 401,
       "Missing token"},
      {"other path", "GET", "/secretsmanager/getx?secretId=app/db", kGood, 404, "Not found"},
      {"ping", "GET", "/ping", "", 200, "healthy"},
      {"ping POST", "POST", "/ping", "", 405, "Not allowed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    http::HttpResponse r = Ask(c.method, c.target, c.headers);
    EXPECT_EQ(r.status, c.status);
    EXPECT_NE(r.body.find(c.body_has), std::string::npos) << r.body;
    if (r.status != 200) {
      EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << r.body;
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
  http::HttpResponse b = Ask("GET", "/secretsmanager/get?secretId=app/bin&versionStage=L", kGood);
  ASSERT_EQ(b.status, 200);
  auto j = nlohmann::json::parse(b.body);
  EXPECT_EQ(j["SecretBinary"], "AP8B");
  EXPECT_FALSE(j.contains("SecretString"));
  EXPECT_TRUE(j["CreatedDate"].is_null());
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
