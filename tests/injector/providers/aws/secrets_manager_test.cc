// SecretsManagerProvider against the loopback fake (which checks every SigV4
// signature with botocore): static keys, web identity (STS), Pod Identity,
// stages/versions/ARNs/binary, error mapping, credential refresh — and no
// secret material in any error message.
#include "injector/providers/aws/secrets_manager.h"

#include <gtest/gtest.h>

#include <fstream>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/credential_chain.h"
#include "injector/providers/aws/endpoints.h"
#include "memsecret/plan/backends.h"
#include "testing/fake_aws.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::aws {
namespace {

using nlohmann::json;

constexpr const char* kAkid = "AKIDSTATICEXAMPLE";
constexpr const char* kStaticSecret = "static-SECRET-key-0123456789";
constexpr const char* kRole = "arn:aws:iam::123456789012:role/crm-sync";
constexpr const char* kJwt = "eyJhbGciOiJSUzI1NiJ9.FAKE-JWT-ONE.sig";
constexpr const char* kJwt2 = "eyJhbGciOiJSUzI1NiJ9.FAKE-JWT-TWO.sig";
constexpr const char* kPodToken = "FAKE-POD-IDENTITY-TOKEN";
constexpr const char* kValue = "{\"clientId\":\"abc\",\"clientSecret\":\"TOP-SECRET-VALUE-1\"}";

// A plan for role kRole in us-east-1 with the token in `token_file`.
AwsSettings WebIdentity(const std::string& token_file) {
  AwsSettings plan;
  plan.region = "us-east-1";
  plan.role_arn = kRole;
  plan.web_identity_token_file = token_file;
  return plan;
}

SecretRef Ref(const std::string& text) {
  auto r = ParseSecretRef(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.value();
}

class SecretsManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Control({{"op", "static_key"}, {"akid", kAkid}, {"secret", kStaticSecret}});
    auto put = fake_.Control({{"op", "put_secret"},
                              {"name", "/genesys/prod/crm"},
                              {"string", kValue},
                              {"version", "11111111-1111-1111-1111-111111111111"}});
    arn_ = put["arn"];
    env_.Set("AWS_REGION", "us-east-1");
    env_.Set("AWS_ENDPOINT_URL", fake_.url());
  }

  std::unique_ptr<SecretProvider> Provider(AwsSettings plan = {}) {
    auto p = MakeSecretsManagerProvider(plan, env_, *http_, clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }

  void UseStaticKeys(const std::string& secret = kStaticSecret) {
    env_.Set("AWS_ACCESS_KEY_ID", kAkid);
    env_.Set("AWS_SECRET_ACCESS_KEY", secret);
  }

  std::string WriteToken(const std::string& content) {
    std::string path = dir_.path() + "/token";
    std::ofstream(path) << content;
    return path;
  }

  // No secret material of this test may appear in `text`.
  static void ExpectClean(const std::string& text) {
    for (const char* s : {kStaticSecret, kJwt, kJwt2, kPodToken, "TOP-SECRET-VALUE", "FAKESESSION"})
      EXPECT_EQ(text.find(s), std::string::npos) << "leaked " << s;
  }

  void TearDown() override { ExpectClean(logs_.text()); }

  LogCapture logs_;  // every log line of every test is checked for secrets
  memsecret::testing::FakeAwsProcess fake_;
  std::unique_ptr<HttpClient> http_ = MakeHttpClient();
  SystemClock clock_;  // the fake rejects signatures more than 15 min off its own time
  MapEnvironment env_;
  TempDir dir_;
  std::string arn_;
};

TEST_F(SecretsManagerTest, StaticKeysFetchStringWithVersion) {
  UseStaticKeys();
  auto r = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.secret->value.Reveal(), kValue);
  EXPECT_EQ(r.secret->version, "11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(fake_.Stats()["signature_failures"], 0);
  // ARN, Name and stages as the answer gave them (the Agent endpoint serves them).
  EXPECT_EQ(r.secret->metadata.id, arn_);
  EXPECT_EQ(r.secret->metadata.name, "/genesys/prod/crm");
  EXPECT_EQ(r.secret->metadata.labels, std::vector<std::string>{"AWSCURRENT"});
  EXPECT_FALSE(r.secret->metadata.binary);
}

// CreatedDate is epoch seconds, fractional on the wire; a missing or
// malformed one is "unknown" (nullopt), never a failed fetch.
TEST_F(SecretsManagerTest, VersionCreationTimeFromCreatedDate) {
  UseStaticKeys();
  struct Case {
    const char* name;
    json created;
    std::optional<int64_t> millis;
  } cases[] = {
      {"/created/fractional", 1690000000.25, 1690000000250},
      {"/created/whole", 1523477145, 1523477145000},
      {"/created/string", "2023-07-22T04:26:40Z", std::nullopt},
      {"/created/negative", -5, std::nullopt},
      {"/created/far-future", 1e300, std::nullopt},
      {"/created/null", nullptr, std::nullopt},
  };
  auto provider = Provider();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    fake_.Control(
        {{"op", "put_secret"}, {"name", c.name}, {"string", "v"}, {"created", c.created}});
    auto r = provider->Fetch(Ref(std::string("aws:") + c.name));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    if (!c.millis) {
      EXPECT_FALSE(r.secret->created.has_value());
      continue;
    }
    ASSERT_TRUE(r.secret->created.has_value());
    EXPECT_EQ(
        std::chrono::duration_cast<std::chrono::milliseconds>(r.secret->created->time_since_epoch())
            .count(),
        *c.millis);
  }
}

TEST_F(SecretsManagerTest, StaticKeysWithSessionTokenSignTheToken) {
  fake_.Control({{"op", "static_key"},
                 {"akid", "ASIASTATICEXAMPLE"},
                 {"secret", kStaticSecret},
                 {"token", "FAKESESSION-static-token"}});
  env_.Set("AWS_ACCESS_KEY_ID", "ASIASTATICEXAMPLE");
  env_.Set("AWS_SECRET_ACCESS_KEY", kStaticSecret);
  env_.Set("AWS_SESSION_TOKEN", "FAKESESSION-static-token");
  auto r = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  env_.Set("AWS_SESSION_TOKEN", "FAKESESSION-wrong-token");
  auto wrong = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status.code(), Code::kUnauthenticated);
  EXPECT_NE(wrong.status.message().find("UnrecognizedClientException"), std::string::npos);
  ExpectClean(wrong.status.message());
}

TEST_F(SecretsManagerTest, ArnStageVersionAndBinary) {
  UseStaticKeys();
  fake_.Control({{"op", "put_secret"},
                 {"name", "/genesys/prod/crm"},
                 {"string", "pending-value"},
                 {"version", "22222222-2222-2222-2222-222222222222"},
                 {"stages", {"AWSPENDING"}}});
  auto provider = Provider();
  auto by_arn = provider->Fetch(Ref("aws:" + arn_));
  ASSERT_TRUE(by_arn.ok()) << by_arn.status.ToString();
  EXPECT_EQ(by_arn.secret->value.Reveal(), kValue);

  auto pending =
      provider->Fetch(Ref("aws:/genesys/prod/crm"), FetchOptions{"AWSPENDING", std::nullopt});
  ASSERT_TRUE(pending.ok()) << pending.status.ToString();
  EXPECT_EQ(pending.secret->value.Reveal(), "pending-value");
  EXPECT_EQ(fake_.Stats()["last_stage"], "AWSPENDING");

  auto by_query = provider->Fetch(Ref("aws:/genesys/prod/crm?stage=AWSPENDING"));
  ASSERT_TRUE(by_query.ok());
  EXPECT_EQ(by_query.secret->version, "22222222-2222-2222-2222-222222222222");

  auto by_version =
      provider->Fetch(Ref("aws:/genesys/prod/crm?version=11111111-1111-1111-1111-111111111111"));
  ASSERT_TRUE(by_version.ok());
  EXPECT_EQ(by_version.secret->value.Reveal(), kValue);
  EXPECT_EQ(fake_.Stats()["last_version_id"], "11111111-1111-1111-1111-111111111111");

  fake_.Control(
      {{"op", "put_secret"}, {"name", "bin"}, {"binary_b64", "AP8BAgM="}});  // 00 ff 01 02 03
  auto bin = provider->Fetch(Ref("aws:bin"));
  ASSERT_TRUE(bin.ok());
  EXPECT_EQ(bin.secret->value.Reveal(), std::string("\x00\xff\x01\x02\x03", 5));
  EXPECT_TRUE(bin.secret->metadata.binary);
}

TEST_F(SecretsManagerTest, ErrorsAreMappedByType) {
  UseStaticKeys();
  fake_.Control({{"op", "put_secret"}, {"name", "denied"}, {"string", "TOP-SECRET-VALUE-2"}});
  fake_.Control({{"op", "deny"}, {"name", "denied"}, {"akid", kAkid}});
  fake_.Control({{"op", "put_secret"}, {"name", "doomed"}, {"string", "TOP-SECRET-VALUE-3"}});
  fake_.Control({{"op", "delete_secret"}, {"name", "doomed"}});
  auto provider = Provider();
  struct Case {
    const char* ref;
    json failure;  // injected before the call, or null
    Code code;
    const char* type;
  } cases[] = {
      {"aws:/missing", nullptr, Code::kNotFound, "ResourceNotFoundException"},
      {"aws:/genesys/prod/crm?stage=NOPE", nullptr, Code::kNotFound, "ResourceNotFoundException"},
      {"aws:denied", nullptr, Code::kPermissionDenied, "AccessDeniedException"},
      {"aws:doomed", nullptr, Code::kFailedPrecondition, "InvalidRequestException"},
      {"aws:/genesys/prod/crm",
       {{"status", 400}, {"type", "DecryptionFailure"}},
       Code::kFailedPrecondition,
       "DecryptionFailure"},
      {"aws:/genesys/prod/crm",
       {{"status", 400}, {"type", "ThrottlingException"}},
       Code::kResourceExhausted,
       "ThrottlingException"},
      {"aws:/genesys/prod/crm",
       {{"status", 500}, {"type", "InternalServiceError"}},
       Code::kUnavailable,
       "InternalServiceError"},
      {"aws:/genesys/prod/crm",
       {{"status", 503}, {"type", "aws.sm#ServiceUnavailable:http://x"}},
       Code::kUnavailable,
       "ServiceUnavailable"},
  };
  for (const auto& c : cases) {
    if (!c.failure.is_null()) {
      json cmd = c.failure;
      cmd["op"] = "fail";
      cmd["target"] = "secretsmanager";
      fake_.Control(cmd);
    }
    auto r = provider->Fetch(Ref(c.ref));
    ASSERT_FALSE(r.ok()) << c.ref;
    EXPECT_EQ(r.status.code(), c.code) << r.status.ToString();
    EXPECT_NE(r.status.message().find(c.type), std::string::npos) << r.status.message();
    EXPECT_NE(r.status.message().find("GetSecretValue"), std::string::npos);
    EXPECT_EQ(r.status.retryable(),
              c.code == Code::kResourceExhausted || c.code == Code::kUnavailable);
    ExpectClean(r.status.message());
  }
}

TEST_F(SecretsManagerTest, RetryAfterIsCarried) {
  UseStaticKeys();
  fake_.Control({{"op", "fail"},
                 {"target", "secretsmanager"},
                 {"status", 429},
                 {"type", "ThrottlingException"},
                 {"retry_after", 7}});
  auto r = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status.retryable());
  EXPECT_EQ(r.retry_after, std::chrono::seconds(7));
}

TEST_F(SecretsManagerTest, WrongKeyFailsTheFakesSignatureCheck) {
  UseStaticKeys("not-the-right-secret");
  auto r = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kUnauthenticated);
  EXPECT_NE(r.status.message().find("InvalidSignatureException"), std::string::npos);
  EXPECT_GE(fake_.Stats()["signature_failures"].get<int>(), 1);
  ExpectClean(r.status.message());
}

TEST_F(SecretsManagerTest, WebIdentityExchangesOnceAndSignsWithSessionToken) {
  fake_.Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt}, {"duration", 3600}});
  AwsSettings plan = WebIdentity(WriteToken(std::string(kJwt) + "\n"));
  auto provider = Provider(plan);
  for (int i = 0; i < 3; ++i) {
    auto r = provider->Fetch(Ref("aws:/genesys/prod/crm"));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    EXPECT_EQ(r.secret->value.Reveal(), kValue);
  }
  json stats = fake_.Stats();
  EXPECT_EQ(stats["AssumeRoleWithWebIdentity"], 1);  // cached until near expiry
  EXPECT_EQ(stats["signature_failures"], 0);
  EXPECT_TRUE(stats["session_names"][0].get<std::string>().starts_with("memsecret-"));
}

TEST_F(SecretsManagerTest, ShortLivedCredentialsAreRefreshedAndTokenFileReread) {
  // Credentials valid for 5 minutes are inside the 10-minute refresh window,
  // so every fetch exchanges again — reading the token file each time.
  fake_.Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt}, {"duration", 300}});
  env_.Set("AWS_ROLE_ARN", kRole);
  env_.Set("AWS_WEB_IDENTITY_TOKEN_FILE", WriteToken(kJwt));
  env_.Set("AWS_ROLE_SESSION_NAME", "crm-sync-pod");
  auto provider = Provider();
  ASSERT_TRUE(provider->Fetch(Ref("aws:/genesys/prod/crm")).ok());
  fake_.Control(
      {{"op", "sts"}, {"role", kRole}, {"token", kJwt2}, {"duration", 300}});  // kubelet rotated it
  WriteToken(kJwt2);
  auto r = provider->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  json stats = fake_.Stats();
  EXPECT_EQ(stats["AssumeRoleWithWebIdentity"], 2);
  EXPECT_EQ(stats["session_names"][1], "crm-sync-pod");
}

TEST_F(SecretsManagerTest, ExpiredTokenTriggersOneReExchange) {
  fake_.Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt}, {"duration", 3600}});
  auto provider = Provider(WebIdentity(WriteToken(kJwt)));
  ASSERT_TRUE(provider->Fetch(Ref("aws:/genesys/prod/crm")).ok());
  fake_.Control({{"op", "fail"},
                 {"target", "secretsmanager"},
                 {"status", 400},
                 {"type", "ExpiredTokenException"}});
  auto r = provider->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(fake_.Stats()["AssumeRoleWithWebIdentity"], 2);
}

TEST_F(SecretsManagerTest, RejectedWebIdentityTokenIsUnauthenticated) {
  fake_.Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt2}});
  auto r = Provider(WebIdentity(WriteToken(kJwt)))->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kUnauthenticated);
  EXPECT_NE(r.status.message().find("InvalidIdentityToken"), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find(kRole), std::string::npos);
  ExpectClean(r.status.message());
}

TEST_F(SecretsManagerTest, StsOutageIsRetryable) {
  fake_.Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt}});
  fake_.Control(
      {{"op", "fail"}, {"target", "sts"}, {"status", 400}, {"type", "IDPCommunicationError"}});
  auto provider = Provider(WebIdentity(WriteToken(kJwt)));
  auto r = provider->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status.retryable()) << r.status.ToString();
  EXPECT_TRUE(provider->Fetch(Ref("aws:/genesys/prod/crm")).ok());  // recovers by itself
}

TEST_F(SecretsManagerTest, PodIdentityAgent) {
  fake_.Control({{"op", "pod_identity"}, {"token", kPodToken}});
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake_.url() + "/v1/credentials");
  env_.Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", WriteToken(kPodToken));
  UseStaticKeys("ignored-because-pod-identity-comes-first");
  auto r = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(fake_.Stats()["PodIdentity"], 1);

  WriteToken("WRONG-TOKEN");
  env_.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake_.url() + "/v1/credentials");
  auto denied = Provider()->Fetch(Ref("aws:/genesys/prod/crm"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status.code(), Code::kUnauthenticated) << denied.status.ToString();
  ExpectClean(denied.status.message());
}

TEST(AwsSetupTest, EndpointsAndRegion) {
  MapEnvironment env;
  EXPECT_FALSE(ResolveRegion("", env).ok());
  env.Set("AWS_DEFAULT_REGION", "eu-west-1");
  EXPECT_EQ(*ResolveRegion("", env), "eu-west-1");
  env.Set("AWS_REGION", "eu-central-1");
  EXPECT_EQ(*ResolveRegion("", env), "eu-central-1");
  EXPECT_EQ(*ResolveRegion("us-west-2", env), "us-west-2");
  EXPECT_EQ(SecretsManagerEndpoint("eu-west-1", env),
            "https://secretsmanager.eu-west-1.amazonaws.com");
  EXPECT_EQ(SecretsManagerEndpoint("cn-north-1", env),
            "https://secretsmanager.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(StsEndpoint("eu-west-1", env), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(StsEndpoint("", env), "https://sts.amazonaws.com");
  env.Set("AWS_ENDPOINT_URL", "https://localstack:4566/");
  EXPECT_EQ(SecretsManagerEndpoint("eu-west-1", env), "https://localstack:4566");
  env.Set("AWS_ENDPOINT_URL_STS", "https://sts.internal");
  env.Set("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://sm.internal");
  EXPECT_EQ(StsEndpoint("eu-west-1", env), "https://sts.internal");
  EXPECT_EQ(SecretsManagerEndpoint("eu-west-1", env), "https://sm.internal");
  env.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(SecretsManagerEndpoint("eu-west-1", env),
            "https://secretsmanager.eu-west-1.amazonaws.com");
}

// The region becomes a host name: a value that is not a region name (which
// would put sts.attacker.example/?... in the URL and send the web-identity
// token there) is a start-up error naming where it came from, not a request.
TEST(AwsSetupTest, RegionThatIsNotARegionNameIsRefusedNamingItsSource) {
  struct Case {
    const char* name;
    std::string plan_region, aws_region, aws_default_region;
    const char* names;  // empty: accepted
  };
  const Case cases[] = {
      {"plan region", "attacker.example/?", "", "", "plan.aws.region"},
      {"AWS_REGION host and path", "", "attacker.example/?", "", "AWS_REGION"},
      {"AWS_REGION with a port", "", "us-east-1.evil:443", "", "AWS_REGION"},
      {"AWS_REGION upper case", "", "US-EAST-1", "", "AWS_REGION"},
      {"AWS_DEFAULT_REGION", "", "", "evil.example#", "AWS_DEFAULT_REGION"},
      {"AWS_REGION checked before the fallback", "", "a.b", "eu-west-1", "AWS_REGION"},
      {"plan region wins over a bad env", "eu-west-1", "attacker.example/?", "", ""},
      {"GovCloud", "", "us-gov-west-1", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    MapEnvironment env;
    if (!c.aws_region.empty()) env.Set("AWS_REGION", c.aws_region);
    if (!c.aws_default_region.empty()) env.Set("AWS_DEFAULT_REGION", c.aws_default_region);
    auto r = ResolveRegion(c.plan_region, env);
    if (std::string(c.names).empty()) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      continue;
    }
    ASSERT_FALSE(r.ok()) << *r;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_TRUE(r.status().message().starts_with(c.names)) << r.status().message();
    EXPECT_NE(r.status().message().find("not an AWS region"), std::string::npos);
  }
}

// The provider is never built with such a region: no credential source, no
// request, no retry loop (the injector exits at start with this message).
TEST(AwsSetupTest, ProviderWithABadRegionFailsAtStart) {
  auto http = MakeHttpClient();
  SystemClock clock;
  MapEnvironment env;
  env.Set("AWS_REGION", "attacker.example/?");
  env.Set("AWS_ROLE_ARN", kRole);
  env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
  auto p = MakeSecretsManagerProvider({}, env, *http, clock);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p.status().message().find("AWS_REGION"), std::string::npos) << p.status().message();
}

TEST(AwsSetupTest, CredentialChainExplainsWhatIsMissing) {
  auto http = MakeHttpClient();
  SystemClock clock;
  MapEnvironment env;
  auto none = SelectCredentialSource({}, env, "https://sts.amazonaws.com", *http, clock);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("AWS_ROLE_ARN"), std::string::npos);
  auto role_no_file = SelectCredentialSource(WebIdentity(""), env, "", *http, clock);
  ASSERT_FALSE(role_no_file.ok());
  EXPECT_NE(role_no_file.status().message().find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
  env.Set("AWS_ACCESS_KEY_ID", kAkid);
  EXPECT_FALSE(SelectCredentialSource({}, env, "", *http, clock).ok());  // half a key pair
  env.Set("AWS_SECRET_ACCESS_KEY", kStaticSecret);
  auto s = SelectCredentialSource({}, env, "", *http, clock);
  ASSERT_TRUE(s.ok());
  EXPECT_NE((*s)->Describe().find("static"), std::string::npos);
  env.Set("AWS_ROLE_ARN", kRole);
  env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
  auto w = SelectCredentialSource({}, env, "", *http, clock);
  ASSERT_TRUE(w.ok());
  EXPECT_NE((*w)->Describe().find("web identity"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::injector::aws
