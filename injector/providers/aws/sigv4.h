// AWS Signature Version 4 as staged pure functions (docs/backends.md §3.4):
// canonical request -> string to sign -> signing key -> signature, plus
// SignRequest which applies them to an HttpRequest. Checked against the
// published aws4_testsuite vectors. No I/O, no clock reads.
#pragma once

#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/base/percent_encoding.h"
#include "injector/base/secret_value.h"
#include "injector/providers/aws/credentials.h"
#include "memsecret/clock.h"

namespace memsecret::injector::aws {

inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string HexSha256(std::string_view data);
// "20150830T123600Z" (UTC).
std::string AmzDate(WallTime t);
// UriEncode (base/percent_encoding.h): the SigV4 URI encoding.
using injector::UriEncode;

// Canonical query from a raw query string ("b=2&a=1"): each name and value
// decoded then re-encoded, sorted by name then value, "k=" for empty values.
std::string CanonicalQueryString(std::string_view raw_query);

struct CanonicalRequestParts {
  std::string canonical_request;
  std::string signed_headers;  // "content-type;host;x-amz-date"
};

// `path` is the request path without query ("" means "/"); `headers` are all
// headers to sign (names any case; repeated names are joined with ',').
CanonicalRequestParts CanonicalRequest(std::string_view method, std::string_view path,
                                       std::string_view raw_query, const HttpHeaders& headers,
                                       std::string_view payload_sha256_hex);

// "<datestamp>/<region>/<service>/aws4_request"
std::string CredentialScope(std::string_view datestamp, std::string_view region,
                            std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// kSigning = HMAC chain over "AWS4"+secret, datestamp, region, service, "aws4_request".
SecretValue SigningKey(const SecretValue& secret_access_key, std::string_view datestamp,
                       std::string_view region, std::string_view service);

// hex(HMAC-SHA256(signing_key, string_to_sign))
std::string Signature(const SecretValue& signing_key, std::string_view string_to_sign);

std::string AuthorizationHeader(std::string_view access_key_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature);

// Signs `request` in place: sets Host (from the URL), X-Amz-Date and, for
// temporary credentials, X-Amz-Security-Token, then signs every header present
// and adds Authorization. Fails only on a malformed URL.
Status SignRequest(HttpRequest& request, const AwsCredentials& creds, std::string_view region,
                   std::string_view service, WallTime now);

}  // namespace memsecret::injector::aws
