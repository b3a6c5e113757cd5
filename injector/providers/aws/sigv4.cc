#include "injector/providers/aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <vector>

#include "memsecret/ascii.h"
#include "memsecret/url.h"

namespace memsecret::injector::aws {

namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  std::string result(reinterpret_cast<char*>(out), len);
  OPENSSL_cleanse(out, sizeof out);
  return result;
}

// Trims and collapses runs of spaces/tabs to one space.
std::string TrimCollapse(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string HexSha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string AmzDate(WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalQueryString(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= raw_query.size() && !raw_query.empty()) {
    size_t amp = raw_query.find('&', start);
    std::string_view part = raw_query.substr(
        start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string name = PercentDecode(part.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1));
      params.emplace_back(UriEncode(name, true), UriEncode(value, true));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

CanonicalRequestParts CanonicalRequest(std::string_view method, std::string_view path,
                                       std::string_view raw_query, const HttpHeaders& headers,
                                       std::string_view payload_sha256_hex) {
  std::map<std::string, std::string> canon;  // sorted by lowercase name
  for (const auto& [name, value] : headers) {
    std::string key = AsciiLowercase(name);
    std::string v = TrimCollapse(value);
    auto [it, inserted] = canon.emplace(key, v);
    if (!inserted) it->second += "," + v;
  }
  CanonicalRequestParts parts;
  std::string header_block;
  for (const auto& [k, v] : canon) {
    header_block += k + ":" + v + "\n";
    if (!parts.signed_headers.empty()) parts.signed_headers += ';';
    parts.signed_headers += k;
  }
  std::string uri = path.empty() ? "/" : UriEncode(path, false);
  parts.canonical_request = std::string(method) + "\n" + uri + "\n" +
                            CanonicalQueryString(raw_query) + "\n" + header_block + "\n" +
                            parts.signed_headers + "\n" + std::string(payload_sha256_hex);
  return parts;
}

std::string CredentialScope(std::string_view datestamp, std::string_view region,
                            std::string_view service) {
  return std::string(datestamp) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         HexSha256(canonical_request);
}

SecretValue SigningKey(const SecretValue& secret_access_key, std::string_view datestamp,
                       std::string_view region, std::string_view service) {
  SecretValue seed("AWS4" + std::string(secret_access_key.Reveal()));
  SecretValue k_date(Hmac(seed.Reveal(), datestamp));
  SecretValue k_region(Hmac(k_date.Reveal(), region));
  SecretValue k_service(Hmac(k_region.Reveal(), service));
  return SecretValue(Hmac(k_service.Reveal(), "aws4_request"));
}

std::string Signature(const SecretValue& signing_key, std::string_view string_to_sign) {
  std::string mac = Hmac(signing_key.Reveal(), string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string AuthorizationHeader(std::string_view access_key_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(access_key_id) + "/" + std::string(scope) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

Status SignRequest(HttpRequest& request, const AwsCredentials& creds, std::string_view region,
                   std::string_view service, WallTime now) {
  auto url = ParseUrl(request.url);
  if (!url.ok()) return url.status().WithContext("sigv4");
  auto drop = [&](std::string_view name) {
    std::erase_if(request.headers, [&](const auto& h) { return AsciiLowercase(h.first) == name; });
  };
  for (auto name : {"host", "x-amz-date", "x-amz-security-token", "authorization"}) drop(name);
  const std::string amz_date = AmzDate(now);
  request.headers.emplace_back("Host", url->HostHeader());
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (!creds.session_token.empty())
    request.headers.emplace_back("X-Amz-Security-Token", std::string(creds.session_token.Reveal()));

  std::string_view target = url->target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  auto parts =
      CanonicalRequest(request.method, path, query, request.headers, HexSha256(request.body));
  const std::string scope = CredentialScope(amz_date.substr(0, 8), region, service);
  const std::string sts = StringToSign(amz_date, scope, parts.canonical_request);
  SecretValue key = SigningKey(creds.secret_access_key, amz_date.substr(0, 8), region, service);
  request.headers.emplace_back(
      "Authorization",
      AuthorizationHeader(creds.access_key_id, scope, parts.signed_headers, Signature(key, sts)));
  return Status::Ok();
}

}  // namespace memsecret::injector::aws
