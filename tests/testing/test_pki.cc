#include "testing/test_pki.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <utility>

namespace memsecret::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

EVP_PKEY* NewKey(KeyType type) {
  EVP_PKEY* key = type == KeyType::kEcP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  Check(key != nullptr, "key generation");
  return key;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_X509(bio, cert) == 1, "write cert");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  Check(X509_add_ext(cert, ext, -1) == 1, "add extension");
  X509_EXTENSION_free(ext);
}

// Builds and signs a certificate for `key`. `issuer`/`issuer_key` null:
// self-signed.
X509* MakeCert(const std::string& cn, long serial, EVP_PKEY* key, X509* issuer,
               EVP_PKEY* issuer_key, bool is_ca) {
  X509* cert = X509_new();
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("memsecret tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  AddExtension(cert, signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) AddExtension(cert, signer, NID_authority_key_identifier, "keyid:always");
  if (is_ca) {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    AddExtension(cert, signer, NID_ext_key_usage, "serverAuth");
    AddExtension(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  }
  Check(X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

}  // namespace

TestCa TestCa::CreateRoot(const std::string& common_name) {
  TestCa ca;
  ca.key_ = NewKey(KeyType::kEcP256);
  ca.cert_ = MakeCert(common_name, 1, ca.key_, nullptr, nullptr, /*is_ca=*/true);
  ca.cert_pem_ = CertPem(ca.cert_);
  return ca;
}

TestCa::TestCa(TestCa&& other) noexcept
    : cert_(std::exchange(other.cert_, nullptr)),
      key_(std::exchange(other.key_, nullptr)),
      cert_pem_(std::move(other.cert_pem_)),
      next_serial_(other.next_serial_) {}

TestCa& TestCa::operator=(TestCa&& other) noexcept {
  std::swap(cert_, other.cert_);
  std::swap(key_, other.key_);
  std::swap(cert_pem_, other.cert_pem_);
  std::swap(next_serial_, other.next_serial_);
  return *this;
}

TestCa::~TestCa() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

TestCa TestCa::CreateIntermediate(const std::string& common_name) {
  TestCa ca;
  ca.key_ = NewKey(KeyType::kEcP256);
  ca.cert_ = MakeCert(common_name, next_serial_++, ca.key_, cert_, key_, /*is_ca=*/true);
  ca.cert_pem_ = CertPem(ca.cert_);
  return ca;
}

IssuedCert TestCa::IssueServer(const std::string& common_name, long serial, KeyType key_type) {
  EVP_PKEY* key = NewKey(key_type);
  X509* cert = MakeCert(common_name, serial, key, cert_, key_, /*is_ca=*/false);
  IssuedCert out{CertPem(cert), KeyPem(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace memsecret::testing
