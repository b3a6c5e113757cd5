#include "injector/providers/credential_store.h"

namespace memsecret::injector::rotation {

Result<StoredVersion> ReadStoredVersion(SecretProvider* reader, const SecretRef& ref,
                                        const FetchOptions& options) {
  FetchResult r = reader->Fetch(ref, options);
  if (!r.ok()) return r.status;
  return StoredVersion{r.secret->version, r.secret->created, std::move(r.secret->value)};
}

Result<std::optional<StoredVersion>> ReadOptionalVersion(SecretProvider* reader,
                                                         const SecretRef& ref,
                                                         const FetchOptions& options) {
  auto v = ReadStoredVersion(reader, ref, options);
  if (v.ok()) return std::optional<StoredVersion>(std::move(v).value());
  if (v.status().code() == Code::kNotFound || v.status().code() == Code::kFailedPrecondition)
    return std::optional<StoredVersion>();
  return v.status();
}

}  // namespace memsecret::injector::rotation
