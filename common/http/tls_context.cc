#include "memsecret/http/tls_context.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>
#include <fstream>
#include <sstream>

namespace memsecret::http {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

Result<std::string> ReadWholeFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(std::string(what) + " " + path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return InvalidArgument(std::string(what) + " " + path + ": read failed");
  return ss.str();
}

// Refuses to prompt for a passphrase: an encrypted key is a load error.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::string SubjectLine(X509* cert) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SerialHex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return "?";
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

WallTime NotAfter(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return WallTime{};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// SSL_CTX_set_cert_cb callback: runs for every handshake, before the cipher
// is chosen, and installs the bundle current at that moment on this SSL only.
int InstallCurrentCertificate(SSL* ssl, void* arg) {
  const auto* store = static_cast<const CertificateStore*>(arg);
  const std::shared_ptr<const CertificateBundle> bundle = store->Get();
  if (SSL_use_certificate(ssl, bundle->leaf.get()) != 1) return 0;
  if (SSL_use_PrivateKey(ssl, bundle->key.get()) != 1) return 0;
  STACK_OF(X509)* chain = sk_X509_new_null();
  if (chain == nullptr) return 0;
  for (const auto& cert : bundle->intermediates) sk_X509_push(chain, cert.get());
  const int ok = SSL_set1_chain(ssl, chain);  // takes its own references
  sk_X509_free(chain);
  return ok == 1 ? 1 : 0;
}

}  // namespace

Result<std::shared_ptr<const CertificateBundle>> LoadCertificateBundle(
    const std::string& cert_path, const std::string& key_path) {
  Result<std::string> cert_pem = ReadWholeFile(cert_path, "tls certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  Result<std::string> key_pem = ReadWholeFile(key_path, "tls key");
  if (!key_pem.ok()) return key_pem.status();

  ERR_clear_error();
  auto bundle = std::make_shared<CertificateBundle>();
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem->data(), static_cast<int>(cert_pem->size())));
  bundle->leaf.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr));
  if (!bundle->leaf) {
    return InvalidArgument("tls certificate " + cert_path + ": no PEM certificate (" +
                           TakeOpenSslError() + ")");
  }
  for (;;) {
    X509* next = PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr);
    if (next == nullptr) {
      const unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();  // clean end of the chain
        break;
      }
      return InvalidArgument("tls certificate " + cert_path + ": malformed certificate #" +
                             std::to_string(bundle->intermediates.size() + 2) + " (" +
                             TakeOpenSslError() + ")");
    }
    bundle->intermediates.emplace_back(next);
  }

  BioPtr key_bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  bundle->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  if (!bundle->key) {
    return InvalidArgument("tls key " + key_path + ": no unencrypted PEM private key (" +
                           TakeOpenSslError() + ")");
  }
  if (X509_check_private_key(bundle->leaf.get(), bundle->key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("tls key " + key_path + " does not match the certificate in " +
                           cert_path);
  }
  bundle->subject = SubjectLine(bundle->leaf.get());
  bundle->serial_hex = SerialHex(bundle->leaf.get());
  bundle->not_after = NotAfter(bundle->leaf.get());
  return std::shared_ptr<const CertificateBundle>(std::move(bundle));
}

bool ConfigureServerTls(SSL_CTX& ctx, const CertificateStore* store) {
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return false;
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                SSL_OP_CIPHER_SERVER_PREFERENCE |
                                SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(&ctx, kTls12CipherList) != 1) return false;
  if (SSL_CTX_set_ciphersuites(
          &ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") !=
      1) {
    return false;
  }
  SSL_CTX_set_cert_cb(&ctx, InstallCurrentCertificate, const_cast<CertificateStore*>(store));
  return true;
}

std::string TakeOpenSslError() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

}  // namespace memsecret::http
