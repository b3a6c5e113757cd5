// Regional failover: the pure rules (which failures fail over, ARN region
// swap) as tables, and RegionalFailoverProvider built by
// MakeSecretsManagerProvider against two loopback fakes, one per region,
// reached through the plan's aws.endpoints. Each fake verifies the SigV4
// signature of every request with botocore for its own region, and each
// region's credentials come from that region's STS.
#include "injector/providers/aws/failover.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/secrets_manager.h"
#include "injector/providers/aws/web_identity.h"
#include "memsecret/plan/backends.h"
#include "testing/fake_aws.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

namespace memsecret::injector::aws {
namespace {

using memsecret::testing::FakeAwsProcess;
using memsecret::testing::TempDir;

TEST(ClassifyFailure, OutagesFailOverAnswersAreFinal) {
  struct Row {
    Status status;
    FailureKind want;
  };
  const Row rows[] = {
      {Unavailable("connect to 127.0.0.1:1: Connection refused"), FailureKind::kOutage},
      {DeadlineExceeded("timed out after 3000 ms"), FailureKind::kOutage},
      {Unavailable("TLS handshake failed"), FailureKind::kOutage},
      {MapSecretsManagerError(503, "ServiceUnavailable", ""), FailureKind::kOutage},
      {MapSecretsManagerError(500, "InternalServiceError", ""), FailureKind::kOutage},
      {MapSecretsManagerError(502, "", ""), FailureKind::kOutage},
      {MapStsError(503, "ServiceUnavailable", ""), FailureKind::kOutage},
      {MapSecretsManagerError(400, "ResourceNotFoundException", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(400, "AccessDeniedException", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(400, "DecryptionFailure", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(400, "ThrottlingException", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(429, "", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(400, "InvalidRequestException", ""), FailureKind::kAnswer},
      {MapSecretsManagerError(400, "ExpiredTokenException", ""), FailureKind::kAnswer},
      {MapStsError(400, "InvalidIdentityToken", ""), FailureKind::kAnswer},
      {MapStsError(403, "AccessDenied", ""), FailureKind::kAnswer},
      {MapStsError(400, "Throttling", ""), FailureKind::kAnswer},  // a quota, not an outage
      {Internal("response is not a JSON object"), FailureKind::kAnswer},
  };
  for (const auto& row : rows)
    EXPECT_EQ(ClassifyFailure(row.status), row.want) << row.status.ToString();
}

TEST(SecretIdForRegion, SwapsTheRegionOfSecretsManagerArnsOnly) {
  struct Row {
    const char* id;
    const char* region;
    const char* want;
  };
  const Row rows[] = {
      {"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf", "us-west-2",
       "arn:aws:secretsmanager:us-west-2:123456789012:secret:app/db-AbCdEf"},
      {"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db", "eu-west-1",
       "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db"},
      {"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf", "us-gov-east-1",
       "arn:aws-us-gov:secretsmanager:us-gov-east-1:123456789012:secret:x-AbCdEf"},
      {"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a:b", "cn-northwest-1",
       "arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:a:b"},
      {"/app/db", "us-west-2", "/app/db"},
      {"app/db-with:colon", "us-west-2", "app/db-with:colon"},
      {"arn:aws:kms:us-east-1:123456789012:key/abc", "us-west-2",
       "arn:aws:kms:us-east-1:123456789012:key/abc"},
      {"arn:aws:secretsmanager", "us-west-2", "arn:aws:secretsmanager"},
  };
  for (const auto& row : rows) EXPECT_EQ(SecretIdForRegion(row.id, row.region), row.want) << row.id;
}

constexpr const char* kRole = "arn:aws:iam::123456789012:role/failover";
constexpr const char* kJwt = "eyJhbGciOiJSUzI1NiJ9.FAILOVER-FAKE-JWT.sig";
constexpr const char* kPrimaryValue = "PRIMARY-SECRET-VALUE-east";
constexpr const char* kReplicaValue = "REPLICA-SECRET-VALUE-west";
constexpr const char* kSuffix = "AbCdEf";

// A loopback port with nothing listening: connections are refused.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* fake : {&east_, &west_}) {
      fake->Control({{"op", "sts"}, {"role", kRole}, {"token", kJwt}});
    }
    east_.Control(
        {{"op", "put_secret"}, {"name", "app/db"}, {"string", kPrimaryValue}, {"suffix", kSuffix}});
    west_.Control(
        {{"op", "put_secret"}, {"name", "app/db"}, {"string", kReplicaValue}, {"suffix", kSuffix}});
    token_file_ = dir_.path() + "/token";
    std::ofstream(token_file_) << kJwt;
    plan_.region = "us-east-1";
    plan_.role_arn = kRole;
    plan_.web_identity_token_file = token_file_;
    plan_.failover_regions = {"us-west-2"};
    plan_.endpoints = {{"us-east-1", {east_.url(), east_.url()}},
                       {"us-west-2", {west_.url(), west_.url()}}};
  }

  std::unique_ptr<SecretProvider> Provider() {
    auto p = MakeSecretsManagerProvider(plan_, env_, *http_, clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }

  static SecretRef Ref(const std::string& text) { return ParseSecretRef(text).value(); }
  static int Gets(FakeAwsProcess& f) { return f.Stats()["GetSecretValue"].get<int>(); }

  void TearDown() override {
    const std::string logs = logs_.text();
    for (const char* s : {kJwt, kPrimaryValue, kReplicaValue, "FAKESESSION"})
      EXPECT_EQ(logs.find(s), std::string::npos) << "leaked " << s;
    EXPECT_EQ(east_.Stats()["signature_failures"], 0);
    EXPECT_EQ(west_.Stats()["signature_failures"], 0);
  }

  LogCapture logs_;
  FakeAwsProcess east_{"us-east-1"};
  FakeAwsProcess west_{"us-west-2"};
  std::unique_ptr<HttpClient> http_ = MakeHttpClient();
  SystemClock clock_;
  MapEnvironment env_;
  TempDir dir_;
  std::string token_file_;
  AwsSettings plan_;
};

TEST_F(FailoverTest, PrimaryServesWhenHealthy) {
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.secret->value.Reveal(), kPrimaryValue);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(Gets(west_), 0);
  EXPECT_EQ(west_.Stats()["AssumeRoleWithWebIdentity"], 0);
}

TEST_F(FailoverTest, PrimaryRefusingConnectionsFromTheStartServesFromReplica) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(ClosedPort());
  plan_.endpoints["us-east-1"] = {dead, dead};
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.secret->value.Reveal(), kReplicaValue);
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(west_.Stats()["AssumeRoleWithWebIdentity"], 1);  // the replica's own STS
}

TEST_F(FailoverTest, Primary503ServesFromReplica) {
  for (const char* mode : {"503", "internal", "reset"}) {
    east_.Control({{"op", "outage"}, {"mode", mode}, {"target", "secretsmanager"}});
    auto r = Provider()->Fetch(Ref("aws:app/db"));
    ASSERT_TRUE(r.ok()) << mode << ": " << r.status.ToString();
    EXPECT_EQ(r.secret->value.Reveal(), kReplicaValue) << mode;
    EXPECT_EQ(r.region, "us-west-2") << mode;
  }
  EXPECT_GE(east_.Stats()["outage_answers"], 3);
}

TEST_F(FailoverTest, PrimaryStsOutUsesTheReplicaStsAndSecretsManager) {
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "sts"}});
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(Gets(east_), 0);
  EXPECT_EQ(west_.Stats()["AssumeRoleWithWebIdentity"], 1);
}

TEST_F(FailoverTest, ResourceNotFoundInPrimaryIsFinal) {
  auto r = Provider()->Fetch(Ref("aws:app/missing"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kNotFound);
  EXPECT_FALSE(r.status.retryable());
  EXPECT_NE(r.status.message().find("ResourceNotFoundException"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(Gets(west_), 0);
}

TEST_F(FailoverTest, DefiniteAnswerFromReplicaAfterFailoverNamesThePrimaryOutage) {
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "all"}});
  auto r = Provider()->Fetch(Ref("aws:app/missing"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kNotFound);
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_NE(r.status.message().find("us-east-1"), std::string::npos) << r.status.message();
}

TEST_F(FailoverTest, EveryRegionOutIsRetryableAndNamesEachRegion) {
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "all"}});
  west_.Control({{"op", "outage"}, {"mode", "internal"}, {"target", "all"}});
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kUnavailable);
  EXPECT_TRUE(r.status.retryable());
  EXPECT_NE(r.status.message().find("us-east-1: "), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("us-west-2: "), std::string::npos) << r.status.message();
}

TEST_F(FailoverTest, NextFetchStartsWithThePrimaryAndLogsOneLinePerChange) {
  auto provider = Provider();
  ASSERT_TRUE(provider->Fetch(Ref("aws:app/db")).ok());
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "secretsmanager"}});
  for (int i = 0; i < 3; ++i) {
    auto r = provider->Fetch(Ref("aws:app/db"));
    ASSERT_TRUE(r.ok()) << r.status.ToString();
    EXPECT_EQ(r.region, "us-west-2");
  }
  EXPECT_EQ(east_.Stats()["outage_answers"], 3);  // every fetch tried the primary first
  east_.Control({{"op", "outage"}, {"mode", nullptr}, {"target", "all"}});
  auto back = provider->Fetch(Ref("aws:app/db"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.region, "us-east-1");
  EXPECT_EQ(back.secret->value.Reveal(), kPrimaryValue);
  const std::string logs = logs_.text();
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (size_t at = logs.find(needle); at != std::string::npos; at = logs.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("region us-west-2 serves secrets"), 1) << logs;
  EXPECT_EQ(count("primary region us-east-1 serves again"), 1) << logs;
}

TEST_F(FailoverTest, ArnRefIsRewrittenForTheReplicaRegion) {
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "secretsmanager"}});
  auto r = Provider()->Fetch(Ref(
      std::string("aws:arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-") + kSuffix));
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.secret->value.Reveal(), kReplicaValue);
  EXPECT_EQ(r.region, "us-west-2");
}

TEST_F(FailoverTest, PrimaryTimingOutFailsOverWithinTheRequestTimeout) {
  east_.Control({{"op", "outage"}, {"mode", "hang"}, {"target", "secretsmanager"}});
  auto t0 = std::chrono::steady_clock::now();
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_GE(took, kFailoverRequestTimeout - std::chrono::milliseconds(100));
  // The primary is given up after the failover timeout, not the default one:
  // waiting the default for it alone would not be under this bound, which
  // leaves the replica's answer (a Python fake on a loaded machine) 7 s.
  static_assert(kFailoverRequestTimeout < kDefaultRequestTimeout);
  EXPECT_LT(took, kDefaultRequestTimeout);
}

TEST_F(FailoverTest, WithoutFailoverRegionsAnOutageIsReturnedAsIs) {
  plan_.failover_regions.clear();
  east_.Control({{"op", "outage"}, {"mode", "503"}, {"target", "secretsmanager"}});
  auto r = Provider()->Fetch(Ref("aws:app/db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status.code(), Code::kUnavailable);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(Gets(west_), 0);
}

}  // namespace
}  // namespace memsecret::injector::aws
