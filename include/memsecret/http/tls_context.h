// TLS for the webhook listener. A CertificateBundle (leaf, intermediates,
// private key) is loaded from PEM files and checked once, then served as an
// immutable snapshot: every new handshake installs the bundle current at that
// moment (SSL_CTX_set_cert_cb), so replacing the snapshot rotates the
// certificate for new connections without touching the listener or any
// established connection.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "memsecret/clock.h"
#include "memsecret/snapshot.h"
#include "memsecret/status.h"

namespace memsecret::http {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// Immutable after LoadCertificateBundle returns; safe to share across threads.
struct CertificateBundle {
  X509Ptr leaf;
  std::vector<X509Ptr> intermediates;  // in file order, sent after the leaf
  EvpPkeyPtr key;
  std::string subject;     // leaf subject, one line, for logs
  std::string serial_hex;  // leaf serial, upper-case hex, for logs
  WallTime not_after;
};

using CertificateStore = Snapshot<CertificateBundle>;

// Reads `cert_path` (PEM: leaf first, then any intermediates) and `key_path`
// (PEM private key, unencrypted). Errors name the file and the reason:
// unreadable, no certificate, unparsable PEM, or key not matching the leaf.
// Never includes key material in messages.
Result<std::shared_ptr<const CertificateBundle>> LoadCertificateBundle(const std::string& cert_path,
                                                                       const std::string& key_path);

// TLS 1.2 minimum; TLS 1.2 limited to ECDHE with AEAD ciphers (AES-GCM,
// ChaCha20-Poly1305) for RSA and ECDSA keys; TLS 1.3 with OpenSSL's default
// (AEAD-only) suites; no compression, no renegotiation, server cipher order.
inline constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Applies the policy above to `ctx` and makes each handshake present
// `store`'s current bundle. `store` must outlive `ctx`. Returns false (with
// the OpenSSL error queue set) if OpenSSL rejects a setting.
bool ConfigureServerTls(SSL_CTX& ctx, const CertificateStore* store);

// The most recent OpenSSL error of this thread as text ("unknown OpenSSL
// error" when there is none); clears the thread's error queue.
std::string TakeOpenSslError();

}  // namespace memsecret::http
