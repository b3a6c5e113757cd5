// Token endpoint response parsing and status classification (RFC 6749 §5).
#include "injector/oauth/token_response.h"

#include <gtest/gtest.h>

#include "injector/oauth/form_encoding.h"
#include "memsecret/base64.h"

namespace memsecret::injector::oauth {
namespace {

using std::chrono::seconds;
const WallTime kT0{seconds(1'700'000'000)};

HttpResponse Resp(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string Base64Url(std::string_view s) {
  std::string b = Base64Encode(s);
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

TEST(ParseTokenResponse, SuccessVariants) {
  struct Case {
    const char* name;
    std::string body;
    std::optional<WallTime> expires_at;
  } cases[] = {
      {"number", R"({"access_token":"AT1","token_type":"bearer","expires_in":300})",
       kT0 + seconds(300)},
      {"string", R"({"access_token":"AT1","expires_in":"3600"})", kT0 + seconds(3600)},
      {"fraction", R"({"access_token":"AT1","expires_in":1.5})",
       kT0 + std::chrono::milliseconds(1500)},
      {"negative", R"({"access_token":"AT1","expires_in":-5})", kT0},
      {"missing", R"({"access_token":"AT1"})", std::nullopt},
      {"jwt_exp", R"({"access_token":"h.)" + Base64Url(R"({"exp":1700000900})") + R"(.s"})",
       kT0 + seconds(900)},
      {"bad_string", R"({"access_token":"AT1","expires_in":"soon"})", std::nullopt},
  };
  for (const Case& c : cases) {
    MintResult r = ParseTokenResponse(Resp(200, c.body), "iss", kT0);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status.ToString();
    EXPECT_EQ(r.token->expires_at, c.expires_at) << c.name;
    EXPECT_EQ(r.token->issued_at, kT0);
  }
  MintResult r =
      ParseTokenResponse(Resp(200, R"({"access_token":"AT1","token_type":"bearer"})"), "iss", kT0);
  EXPECT_EQ(r.token->access_token.Reveal(), "AT1");
  EXPECT_EQ(r.token->token_type, "bearer");
}

// RFC 6749 A.12: a token of control characters (a newline, NUL) is refused, and its bytes
// are not in the message.
TEST(ParseTokenResponse, AccessTokenOutsidePrintableAsciiIsRefused) {
  for (std::string body : {R"({"access_token":"AT\nX=1","expires_in":300})",
                           R"({"access_token":"AT\u0000","expires_in":300})",
                           R"({"access_token":"AT\u00e9","expires_in":300})"}) {
    MintResult r = ParseTokenResponse(Resp(200, body), "iss", kT0);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status.message().find("printable ASCII"), std::string::npos);
    EXPECT_EQ(r.status.message().find("AT"), std::string::npos);
  }
  EXPECT_TRUE(
      ParseTokenResponse(Resp(200, R"({"access_token":"a b~Z=","expires_in":3})"), "iss", kT0)
          .ok());
}

TEST(ParseTokenResponse, ErrorsAreClassifiedAndCarryOnlyErrorFields) {
  struct Case {
    int status;
    std::string body;
    Code code;
    const char* message;
  } cases[] = {
      {401, R"({"error":"invalid_client","error_description":"bad secret","echo":"SECRETX"})",
       Code::kUnauthenticated, "iss: HTTP 401 invalid_client: bad secret"},
      {400, R"({"error":"invalid_client"})", Code::kUnauthenticated,
       "iss: HTTP 400 invalid_client"},
      {400, R"({"error":"invalid_grant","error_description":"key\nrevoked"})",
       Code::kUnauthenticated, "iss: HTTP 400 invalid_grant: key revoked"},
      {401, "<html>SECRETX</html>", Code::kUnauthenticated, "iss: HTTP 401"},
      {400, R"({"error":"invalid_scope","error_description":"nope"})", Code::kInvalidArgument,
       "iss: HTTP 400 invalid_scope: nope"},
      {400, R"({"error":"unauthorized_client"})", Code::kPermissionDenied,
       "iss: HTTP 400 unauthorized_client"},
      {403, "SECRETX", Code::kPermissionDenied, "iss: HTTP 403"},
      {429, R"({"error":"rate","error_description":"slow"})", Code::kResourceExhausted,
       "iss: HTTP 429 rate: slow"},
      {503, "SECRETX upstream", Code::kUnavailable, "iss: HTTP 503"},
      {400, R"({"error":"x","description":"genesys style"})", Code::kInvalidArgument,
       "iss: HTTP 400 x: genesys style"},
      {404, "SECRETX", Code::kFailedPrecondition,
       "iss: HTTP 404 (unexpected status from token endpoint)"},
      {200, "SECRETX not json", Code::kUnavailable, "iss: HTTP 200 body is not a JSON object"},
      {200, R"({"token":"SECRETX"})", Code::kUnavailable,
       "iss: token response has no access_token"},
      {200, R"({"error":"invalid_client","access_token":""})", Code::kUnauthenticated,
       "iss: HTTP 200 invalid_client"},
  };
  for (const Case& c : cases) {
    MintResult r = ParseTokenResponse(Resp(c.status, c.body), "iss", kT0);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status.code(), c.code) << c.body;
    EXPECT_EQ(r.status.message(), c.message) << c.body;
    EXPECT_EQ(r.status.message().find("SECRETX"), std::string::npos);
  }
}

TEST(ParseTokenResponse, RetryAfterIsReturned) {
  MintResult r = ParseTokenResponse(Resp(429, "{}", {{"retry-after", "7"}}), "iss", kT0);
  EXPECT_EQ(r.retry_after, seconds(7));
  r = ParseTokenResponse(Resp(503, "", {{"Retry-After", "Tue, 14 Nov 2023 22:13:40 GMT"}}), "iss",
                         kT0);
  EXPECT_EQ(r.retry_after, seconds(20));  // kT0 is 2023-11-14T22:13:20Z
}

TEST(ParseRetryAfter, Table) {
  EXPECT_EQ(ParseRetryAfter("0", kT0), seconds(0));
  EXPECT_EQ(ParseRetryAfter(" 120 ", kT0), seconds(120));
  EXPECT_EQ(ParseRetryAfter("99999999999", kT0), seconds(3600));
  EXPECT_EQ(ParseRetryAfter("Mon, 13 Nov 2023 00:00:00 GMT", kT0), seconds(0));
  EXPECT_EQ(ParseRetryAfter("soon", kT0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", kT0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", kT0), std::nullopt);
  // Found by fuzz_oauth_token: dates WallTime cannot hold overflowed.
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 1025 07:28:00 GMT", kT0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", kT0), std::nullopt);
}

TEST(JwtExpiry, Table) {
  EXPECT_EQ(JwtExpiry("a." + Base64Url(R"({"exp":1700000001,"iat":1})") + ".c"),
            WallTime(seconds(1700000001)));
  EXPECT_EQ(JwtExpiry("opaque-token"), std::nullopt);
  EXPECT_EQ(JwtExpiry("a." + Base64Url(R"({"iat":1})") + ".c"), std::nullopt);
  EXPECT_EQ(JwtExpiry("a." + Base64Url(R"({"exp":"x"})") + ".c"), std::nullopt);
  EXPECT_EQ(JwtExpiry("a.!!!.c"), std::nullopt);
  // exp past what WallTime holds (the old 1e11 cap allowed year 5138: overflow).
  EXPECT_EQ(JwtExpiry("a." + Base64Url(R"({"exp":99999999999})") + ".c"), std::nullopt);
  EXPECT_EQ(JwtExpiry("a." + Base64Url(R"({"exp":1e300})") + ".c"), std::nullopt);
}

}  // namespace
}  // namespace memsecret::injector::oauth
