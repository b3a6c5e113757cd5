// OAuth: the client-credentials JSON read from a secret store, and token
// endpoint responses (RFC 6749 §5.1/§5.2, Genesys Cloud, NICE CXone) with
// expires_in / JWT exp / Retry-After.
// Input: first line = the issuer ("genesys:mypurecloud.ie", "cxone",
// "https://idp.example/token"); second record = the credentials JSON; the
// rest are scripted token endpoint responses.
#include "fuzz_support.h"
#include "injector/base/remote_text.h"
#include "injector/oauth/credentials.h"
#include "injector/oauth/issuer_factory.h"
#include "injector/oauth/token_response.h"

using namespace memsecret;
using namespace memsecret::injector::oauth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::QuietLogs();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = fuzz::SplitRecords(in);
  std::string issuer_text(records.front());
  records.erase(records.begin());
  std::string creds_json = records.empty() ? "{}" : std::string(records.front());
  if (!records.empty()) records.erase(records.begin());

  WallTime now = FakeClock().Now();
  for (auto rec : records) {
    auto r = fuzz::ParseRecord(rec);
    (void)ParseTokenResponse(r, "fuzz", now);
    (void)JwtExpiry(r.body);
    for (const auto& [k, v] : r.headers) (void)memsecret::injector::ParseRetryAfter(v, now);
    (void)memsecret::injector::CleanRemoteText(r.body);
  }

  auto creds = ParseClientCredentials(SecretValue(creds_json));
  fuzz::ScriptedHttp http(records);
  auto ref = memsecret::ParseIssuer(issuer_text);
  if (!ref.ok()) ref = memsecret::ParseIssuer("https://idp.example/oauth/token");
  auto issuer = MakeTokenIssuer(*ref, &http);
  if (!issuer.ok() || !creds.ok()) return 0;
  for (int i = 0; i < 2; ++i) (void)(*issuer)->Mint(*creds, {"scope-a", ""}, now);
  return 0;
}
