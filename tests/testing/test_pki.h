// Throwaway PKI for TLS tests: a CA, optional intermediates and server
// certificates generated in memory at test time (no key is ever committed).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace memsecret::testing {

enum class KeyType { kEcP256, kRsa2048 };

// A certificate and its private key, both PEM.
struct IssuedCert {
  std::string cert_pem;
  std::string key_pem;
};

// A signing authority (root or intermediate). Movable, not copyable.
class TestCa {
 public:
  // A self-signed root CA.
  static TestCa CreateRoot(const std::string& common_name);
  TestCa(TestCa&&) noexcept;
  TestCa& operator=(TestCa&&) noexcept;
  ~TestCa();

  // An intermediate CA signed by this one.
  TestCa CreateIntermediate(const std::string& common_name);
  // A server certificate (serverAuth, SAN DNS:localhost and IP:127.0.0.1),
  // valid from an hour ago for a day, with the given serial.
  IssuedCert IssueServer(const std::string& common_name, long serial,
                         KeyType key_type = KeyType::kEcP256);
  const std::string& cert_pem() const { return cert_pem_; }

 private:
  TestCa() = default;
  X509* cert_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  std::string cert_pem_;
  long next_serial_ = 1000;
};

}  // namespace memsecret::testing
