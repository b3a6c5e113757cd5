#include "injector/providers/aws/credentials.h"

#include <spdlog/spdlog.h>

namespace memsecret::injector::aws {

RefreshingCredentials::RefreshingCredentials(std::unique_ptr<CredentialSource> source,
                                             const Clock& clock,
                                             std::chrono::seconds refresh_before,
                                             std::chrono::seconds min_usable)
    : source_(std::move(source)),
      cache_(
          [source = source_.get(), refresh_before](const Expiring<AwsCredentials>*,
                                                   bool*) -> Result<Expiring<AwsCredentials>> {
            auto fresh = source->Fetch();
            if (!fresh.ok()) return fresh.status();
            Expiring<AwsCredentials> out{std::move(fresh).value()};
            if (out.value.expiration) {
              out.expires_at = *out.value.expiration;
              out.refresh_at = out.expires_at - refresh_before;
            }
            return out;
          },
          clock,
          {min_usable, KeepOnFailure::kAny, [source = source_.get()](const Status& failure) {
             spdlog::warn(
                 "aws credentials: refresh from {} failed, using cached credentials until they "
                 "expire: {}",
                 source->Describe(), failure.message());
           }}) {}

}  // namespace memsecret::injector::aws
