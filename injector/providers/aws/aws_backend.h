// The AWS Secrets Manager backend's fetch part (injector/providers/backend_fetch.h): its
// provider and the store a rotation writes. One row of the injector's table.
#pragma once

#include "injector/providers/backend_fetch.h"

namespace memsecret::injector::aws {

const BackendFetch& AwsFetch();

}  // namespace memsecret::injector::aws
