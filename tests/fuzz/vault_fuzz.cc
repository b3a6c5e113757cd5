// Vault responses: Kubernetes-auth login / lookup-self `auth` and `data`
// blocks, KV v1/v2 reads (data, metadata, deletion), error bodies and the
// 403 re-login path.
// Input: first line = the secret ref ("vault:secret/app?kv=1#field"); it
// starts with "token " to use VAULT_TOKEN (lookup-self) instead of
// Kubernetes auth.
#include "fuzz_support.h"
#include "injector/base/environment.h"
#include "injector/providers/vault/vault_auth.h"
#include "injector/providers/vault/vault_errors.h"
#include "injector/providers/vault/vault_provider.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"

using namespace memsecret;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::QuietLogs();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto records = fuzz::SplitRecords(in);
  std::string_view first = records.front();
  records.erase(records.begin());
  bool token_auth = first.rfind("token ", 0) == 0;
  if (token_auth) first.remove_prefix(6);
  auto ref = ParseSecretRef(first);
  if (!ref.ok() || ref->provider != kVaultBackend) ref = ParseSecretRef("vault:secret/app");

  for (auto rec : records) {
    auto r = fuzz::ParseRecord(rec);
    (void)injector::vault::ParseVaultErrorBody(r.body);
    injector::vault::VaultLogin login;
    (void)injector::vault::ParseAuthBlock(r.body, &login);
  }

  VaultSettings settings;
  settings.addr = "https://vault.example:8200";
  injector::MapEnvironment env;
  if (token_auth) {
    env.Set("VAULT_TOKEN", "hvs.fuzz-token");
  } else {
    settings.role = "fuzz";
    settings.token_file = fuzz::FakeTokenFile();
  }
  FakeClock clock;
  auto provider = injector::vault::MakeVaultProvider(settings, env, clock, [&](const TlsOptions&) {
    return std::make_unique<fuzz::ScriptedHttp>(records);
  });
  if (!provider.ok()) std::abort();
  for (int i = 0; i < 2; ++i) {
    (void)(*provider)->Fetch(*ref);
    clock.Advance(std::chrono::hours(1));
  }
  return 0;
}
