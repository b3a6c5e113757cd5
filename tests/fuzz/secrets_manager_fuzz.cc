// Secrets Manager GetSecretValue responses (SecretString / SecretBinary /
// errors, ExpiredToken re-fetch) and the EKS Pod Identity / ECS container
// credentials JSON that precede them.
// Input: first line = the secret ref ("aws:/app/db?stage=AWSPREVIOUS#field");
// it starts with "container " to take credentials from the agent (the first
// scripted response) instead of static keys.
#include "fuzz_support.h"
#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/container_credentials.h"
#include "injector/providers/aws/secrets_manager.h"
#include "memsecret/plan/backends.h"

using namespace memsecret;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::QuietLogs();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = fuzz::SplitRecords(in);
  std::string_view first = records.front();
  records.erase(records.begin());
  bool container = first.rfind("container ", 0) == 0;
  if (container) first.remove_prefix(10);
  auto ref = ParseSecretRef(first);
  if (!ref.ok() || ref->provider != kAwsBackend) ref = ParseSecretRef("aws:/app/db");

  FakeClock clock;
  fuzz::ScriptedHttp http(records);
  std::unique_ptr<injector::aws::CredentialSource> creds;
  if (container) {
    creds = injector::aws::MakeContainerCredentialsSource(
        {"http://169.254.170.23/v1/credentials", fuzz::FakeTokenFile(), ""}, http);
  } else {
    injector::aws::AwsCredentials c;
    c.access_key_id = "AKIDFUZZ";
    c.secret_access_key = SecretValue("fuzz-secret-key");
    creds = injector::aws::MakeStaticCredentialsSource(std::move(c));
  }
  injector::aws::SecretsManagerProvider provider(
      "us-east-1", "https://secretsmanager.us-east-1.amazonaws.com", std::move(creds), http, clock);
  for (int i = 0; i < 2; ++i) (void)provider.Fetch(*ref);
  return 0;
}
