// The HashiCorp Vault backend's fetch part (injector/providers/backend_fetch.h): its
// provider and the store a rotation writes. One row of the injector's table.
#pragma once

#include "injector/providers/backend_fetch.h"

namespace memsecret::injector::vault {

const BackendFetch& VaultFetch();

}  // namespace memsecret::injector::vault
