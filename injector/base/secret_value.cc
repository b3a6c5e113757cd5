#include "injector/base/secret_value.h"

#include <openssl/crypto.h>

namespace memsecret {

void SecureWipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace memsecret
