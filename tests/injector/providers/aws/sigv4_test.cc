// SigV4 stages against the published aws4_testsuite vectors (get-vanilla,
// post-x-www-form-urlencoded, get-vanilla-with-session-token; AKIDEXAMPLE,
// us-east-1, service "service", 2015-08-30T12:36:00Z) and further cases
// computed with botocore 1.43 (SigV4Auth) as an independent implementation.
#include "injector/providers/aws/sigv4.h"

#include <gtest/gtest.h>

namespace memsecret::injector::aws {
namespace {

const SecretValue kSecret(std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
constexpr const char* kAmzDate = "20150830T123600Z";
const WallTime kTime = WallTime(std::chrono::seconds(1440938160));  // 2015-08-30T12:36:00Z

std::string HexOf(const SecretValue& v) {
  std::string out;
  char buf[3];
  for (unsigned char c : v.Reveal()) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

TEST(SigV4Test, PrimitivesMatchTheSuite) {
  EXPECT_EQ(HexSha256(""), kEmptyPayloadSha256);
  EXPECT_EQ(AmzDate(kTime), kAmzDate);
  EXPECT_EQ(HexOf(SigningKey(kSecret, "20150830", "us-east-1", "service")),
            "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  EXPECT_EQ(CredentialScope("20150830", "us-east-1", "service"),
            "20150830/us-east-1/service/aws4_request");
  EXPECT_EQ(UriEncode("a b/c~d+é", false), "a%20b/c~d%2B%C3%A9");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
}

struct Vector {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  HttpHeaders headers;
  std::string body;
  const char* canonical_request;
  const char* sts_hash;  // last line of the string to sign; "" = not published
  const char* signature;
};

class SigV4VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(SigV4VectorTest, EveryStageMatches) {
  const Vector& v = GetParam();
  auto parts = CanonicalRequest(v.method, v.path, v.query, v.headers, HexSha256(v.body));
  EXPECT_EQ(parts.canonical_request, v.canonical_request);
  std::string scope = CredentialScope("20150830", "us-east-1", "service");
  std::string sts = StringToSign(kAmzDate, scope, parts.canonical_request);
  EXPECT_EQ(sts.substr(0, sts.rfind('\n')),
            std::string("AWS4-HMAC-SHA256\n") + kAmzDate + "\n" + scope);
  if (*v.sts_hash) {
    EXPECT_EQ(sts.substr(sts.rfind('\n') + 1), v.sts_hash);
  }
  std::string sig = Signature(SigningKey(kSecret, "20150830", "us-east-1", "service"), sts);
  EXPECT_EQ(sig, v.signature);
}

const HttpHeaders kVanillaHeaders = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kAmzDate}};

INSTANTIATE_TEST_SUITE_P(
    Suite, SigV4VectorTest,
    ::testing::Values(
        Vector{
            "get_vanilla", "GET", "/", "", kVanillaHeaders, "",
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        Vector{"post_x_www_form_urlencoded",
               "POST",
               "/",
               "",
               {{"Content-Type", "application/x-www-form-urlencoded"},
                {"Host", "example.amazonaws.com"},
                {"X-Amz-Date", kAmzDate}},
               "Param1=value1",
               "POST\n/\n\ncontent-type:application/"
               "x-www-form-urlencoded\nhost:example.amazonaws.com\n"
               "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
               "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
               "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
               "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
        Vector{"get_vanilla_with_session_token",
               "GET",
               "/",
               "",
               {{"Host", "example.amazonaws.com"},
                {"X-Amz-Date", kAmzDate},
                {"X-Amz-Security-Token",
                 "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
               "",
               "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
               "x-amz-security-token:"
               "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n"
               "host;x-amz-date;x-amz-security-token\n"
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "",
               "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
        // The rest: expected values computed with botocore SigV4Auth.
        Vector{"query_sorted", "GET", "/", "Param2=value2&Param1=value1", kVanillaHeaders, "",
               "GET\n/"
               "\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:"
               "20150830T123600Z\n\n"
               "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        Vector{"header_value_trimmed_and_collapsed",
               "GET",
               "/",
               "",
               {{"Host", "example.amazonaws.com"},
                {"My-Header1", "  value1   with  spaces "},
                {"X-Amz-Date", kAmzDate}},
               "",
               "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1 with "
               "spaces\nx-amz-date:20150830T123600Z\n\n"
               "host;my-header1;x-amz-"
               "date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "",
               "1d3c8dacf13d565cb88f90460a561e5caf0231c1f593a60fc93953ac77d13c58"},
        Vector{"secrets_manager_get_secret_value",
               "POST",
               "/",
               "",
               {{"X-Amz-Target", "secretsmanager.GetSecretValue"},
                {"Content-Type", "application/x-amz-json-1.1"},
                {"X-Amz-Date", kAmzDate},
                {"Host", "secretsmanager.us-east-1.amazonaws.com"}},
               R"({"SecretId":"/genesys/prod/x","VersionStage":"AWSPENDING"})",
               "POST\n/\n\ncontent-type:application/"
               "x-amz-json-1.1\nhost:secretsmanager.us-east-1.amazonaws.com\n"
               "x-amz-date:20150830T123600Z\nx-amz-target:secretsmanager.GetSecretValue\n\n"
               "content-type;host;x-amz-date;x-amz-target\n"
               "aaff9cf19e4aa04fe50959b986c0b8e5d591675e5df57ac29c350f737444daef",
               "",
               "c6ec3c1643a3461f1264caa12f329e72079fbe5d2ccb8ca92775e1a76a913845"}),
    [](const ::testing::TestParamInfo<Vector>& info) { return info.param.name; });

TEST(SigV4Test, SignRequestAddsHeadersAndMatchesBotocore) {
  HttpRequest req;
  req.method = "POST";
  req.url = "https://secretsmanager.us-east-1.amazonaws.com/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
  req.body = R"({"SecretId":"/genesys/prod/x","VersionStage":"AWSPENDING"})";
  AwsCredentials creds{"AKIDEXAMPLE", kSecret, SecretValue(std::string("FQoGZXIvYXdzEXAMPLETOKEN")),
                       std::nullopt};
  ASSERT_TRUE(SignRequest(req, creds, "eu-west-1", "secretsmanager", kTime).ok());
  HttpResponse view{0, req.headers, ""};
  EXPECT_EQ(view.Header("Host"), "secretsmanager.us-east-1.amazonaws.com");
  EXPECT_EQ(view.Header("X-Amz-Date"), kAmzDate);
  EXPECT_EQ(view.Header("X-Amz-Security-Token"), "FQoGZXIvYXdzEXAMPLETOKEN");
  EXPECT_EQ(
      view.Header("Authorization"),
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/secretsmanager/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
      "Signature=be2b6cd83f9c5396aab5f0360daecc2f54a1e83be6f865d03a30cdfd64d0cddb");
}

TEST(SigV4Test, ResigningReplacesOldSignatureHeaders) {
  HttpRequest req{"GET", "https://example.amazonaws.com/", {}, ""};
  AwsCredentials creds{"AKIDEXAMPLE", kSecret, SecretValue(), std::nullopt};
  ASSERT_TRUE(SignRequest(req, creds, "us-east-1", "service", kTime - std::chrono::hours(1)).ok());
  ASSERT_TRUE(SignRequest(req, creds, "us-east-1", "service", kTime).ok());
  EXPECT_EQ(req.headers.size(), 3u);
  HttpResponse view{0, req.headers, ""};
  EXPECT_EQ(view.Header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

}  // namespace
}  // namespace memsecret::injector::aws
