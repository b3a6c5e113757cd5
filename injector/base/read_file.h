// Reading small credential files (projected service-account tokens, Pod
// Identity tokens) straight into a SecretValue. Re-read on every use: the
// kubelet rotates them in place.
#pragma once

#include <cstddef>
#include <string>

#include "injector/base/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector {

// Reads the whole file, strips one trailing "\n" or "\r\n". Errors name the
// path (kNotFound when missing, kInvalidArgument when larger than max_bytes or
// empty, kUnavailable otherwise); never the content.
Result<SecretValue> ReadSecretFile(const std::string& path, size_t max_bytes = 64 * 1024);

}  // namespace memsecret::injector
