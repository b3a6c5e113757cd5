// STS AssumeRoleWithWebIdentity XML responses (success and ErrorResponse),
// the ISO 8601 Expiration, and the XML helper itself.
// Input: first line ignored; then scripted responses (fuzz_support.h).
#include "fuzz_support.h"
#include "injector/base/remote_text.h"
#include "injector/providers/aws/aws_response.h"
#include "injector/providers/aws/web_identity.h"
#include "memsecret/rfc3339.h"

using namespace memsecret;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::QuietLogs();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = fuzz::SplitRecords(in);
  records.erase(records.begin());
  for (auto rec : records) {
    auto r = fuzz::ParseRecord(rec);
    for (const char* tag :
         {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Code", "Message"}) {
      auto text = injector::aws::XmlElementText(r.body, tag);
      if (text) (void)ParseRfc3339(*text);
    }
    (void)injector::CleanRemoteText(r.body);
    (void)injector::ParseRetryAfter(r, FakeClock().Now());
  }
  FakeClock clock;
  fuzz::ScriptedHttp http(records);
  auto source = injector::aws::MakeWebIdentitySource(
      {"arn:aws:iam::123456789012:role/fuzz", fuzz::FakeTokenFile(), "fuzz",
       "https://sts.us-east-1.amazonaws.com"},
      http, clock);
  for (int i = 0; i < 2; ++i) (void)source->Fetch();
  return 0;
}
