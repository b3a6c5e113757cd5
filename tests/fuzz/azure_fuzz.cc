// Azure: the Entra ID token response for the federated credential exchange
// and Key Vault GET secret responses (value, id/version, attributes exp/nbf,
// error/innererror, 401 retry).
// Input: first line = the secret ref ("azure:myvault/db-password?version=..").
#include "fuzz_support.h"
#include "injector/base/environment.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/azure/key_vault_provider.h"
#include "memsecret/plan/backends.h"

using namespace memsecret;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::QuietLogs();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = fuzz::SplitRecords(in);
  auto ref = ParseSecretRef(records.front());
  records.erase(records.begin());
  if (!ref.ok() || ref->provider != kAzureBackend)
    ref = ParseSecretRef("azure:fuzzvault/db-password");

  injector::MapEnvironment env;
  env.Set("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001");
  env.Set("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000002");
  AzureSettings settings;
  settings.federated_token_file = fuzz::FakeTokenFile();
  FakeClock clock;
  fuzz::ScriptedHttp http(records);
  auto provider = injector::azure::MakeAzureProvider(settings, env, http, clock);
  if (!provider.ok()) std::abort();
  for (int i = 0; i < 2; ++i) {
    (void)(*provider)->Fetch(*ref);
    clock.Advance(std::chrono::hours(2));
  }
  return 0;
}
