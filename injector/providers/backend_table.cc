#include "injector/providers/backend_table.h"

#include "injector/providers/aws/aws_backend.h"
#include "injector/providers/azure/azure_backend.h"
#include "injector/providers/vault/vault_backend.h"

namespace memsecret::injector {

// The one list of fetch parts: a new backend is a folder and a row here (and
// one in memsecret/plan/backends.h's table).
const std::vector<const BackendFetch*>& FetchBackends() {
  static const std::vector<const BackendFetch*> rows = {&aws::AwsFetch(), &vault::VaultFetch(),
                                                        &azure::AzureFetch()};
  return rows;
}

namespace {

const BackendFetch* Find(std::string_view name) {
  for (const BackendFetch* b : FetchBackends())
    if (name == b->name) return b;
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<SecretProvider>> MakeProvider(std::string_view backend,
                                                     const PlanSettings& settings,
                                                     const ProviderContext& ctx) {
  const BackendFetch* row = Find(backend);
  if (row == nullptr)
    return InvalidArgument("no provider for backend \"" + std::string(backend) + "\"");
  return row->make_provider(settings, ctx);
}

Result<std::unique_ptr<rotation::CredentialStore>> MakeCredentialStore(const SecretRef& ref,
                                                                       SecretProvider* reader,
                                                                       const PlanSettings& settings,
                                                                       const ProviderContext& ctx) {
  if (ref.Query("version") || ref.Query("stage"))
    return InvalidArgument(ref.ToString() + ": a rotated ref must not pin ?version= or ?stage=");
  const BackendFetch* row = Find(ref.provider);
  if (row == nullptr || row->make_store == nullptr)
    return InvalidArgument(ref.ToString() + ": no writer for this store");
  SecretRef whole = ref;
  whole.field.reset();
  return row->make_store(whole, reader, settings, ctx);
}

}  // namespace memsecret::injector
