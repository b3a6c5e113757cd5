// TLS of the webhook listener: certificate bundle loading and its errors,
// chains, the server context policy, and what real handshakes negotiate or
// refuse (old protocol versions, weak ciphers), for ECDSA and RSA keys.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "memsecret/http/tls_context.h"
#include "testing/server_harness.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"

namespace memsecret::webhook {
namespace {

using memsecret::testing::HarnessOptions;
using memsecret::testing::KeyType;
using memsecret::testing::ServerHarness;
using memsecret::testing::TempDir;
using memsecret::testing::TestCa;
using memsecret::testing::TlsClientOptions;
using memsecret::testing::TlsTestClient;
using memsecret::testing::WriteFileAtomically;

AdmitAnswer NeverCalled(std::string_view) {
  ADD_FAILURE() << "no admission expected";
  return {};
}

std::string EncryptedKeyPem(const std::string& key_pem) {
  BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  static char pass[] = "passphrase";
  PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), pass, sizeof pass - 1, nullptr,
                                nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(out);
  BIO_free(in);
  EVP_PKEY_free(key);
  return pem;
}

TEST(CertificateBundleTest, LoadsLeafIntermediateAndIdentity) {
  TempDir dir;
  TestCa root = TestCa::CreateRoot("root");
  TestCa issuer = root.CreateIntermediate("issuer");
  auto leaf = issuer.IssueServer("webhook.memsecret.svc", 0x1234);
  WriteFileAtomically(dir.File("tls.crt"), leaf.cert_pem + issuer.cert_pem());
  WriteFileAtomically(dir.File("tls.key"), leaf.key_pem);

  auto bundle = http::LoadCertificateBundle(dir.File("tls.crt"), dir.File("tls.key"));
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  EXPECT_EQ((*bundle)->serial_hex, "1234");
  EXPECT_NE((*bundle)->subject.find("CN=webhook.memsecret.svc"), std::string::npos);
  EXPECT_EQ((*bundle)->intermediates.size(), 1u);
  const auto left = (*bundle)->not_after - std::chrono::system_clock::now();
  EXPECT_GT(left, std::chrono::hours(23));
  EXPECT_LT(left, std::chrono::hours(25));
}

TEST(CertificateBundleTest, ErrorsNameTheFileAndReason) {
  TempDir dir;
  TestCa root = TestCa::CreateRoot("root");
  auto a = root.IssueServer("a", 1);
  auto b = root.IssueServer("b", 2);
  const std::string half_cert = a.cert_pem.substr(0, a.cert_pem.size() / 2);
  struct Case {
    const char* name;
    std::string cert;  // empty: file absent
    std::string key;
    const char* want;  // substring of the message
  };
  const Case cases[] = {
      {"missing cert file", "", a.key_pem, "tls.crt: cannot open"},
      {"missing key file", a.cert_pem, "", "tls.key: cannot open"},
      {"garbage cert", "not a certificate\n", a.key_pem, "no PEM certificate"},
      {"truncated cert", half_cert, a.key_pem, "no PEM certificate"},
      {"broken intermediate", a.cert_pem + half_cert, a.key_pem, "malformed certificate #2"},
      {"garbage key", a.cert_pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "no unencrypted PEM private key"},
      {"encrypted key", a.cert_pem, EncryptedKeyPem(a.key_pem), "no unencrypted PEM private key"},
      {"key of another cert", a.cert_pem, b.key_pem, "does not match the certificate"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::filesystem::remove(dir.File("tls.crt"));
    std::filesystem::remove(dir.File("tls.key"));
    if (!c.cert.empty()) WriteFileAtomically(dir.File("tls.crt"), c.cert);
    if (!c.key.empty()) WriteFileAtomically(dir.File("tls.key"), c.key);
    auto bundle = http::LoadCertificateBundle(dir.File("tls.crt"), dir.File("tls.key"));
    ASSERT_FALSE(bundle.ok());
    EXPECT_NE(bundle.status().message().find(c.want), std::string::npos)
        << bundle.status().message();
    EXPECT_EQ(bundle.status().message().find("PRIVATE KEY-----"), std::string::npos);
  }
}

TEST(ServerTlsPolicyTest, ContextRequiresTls12AndOffersOnlyEcdheAead) {
  TestCa root = TestCa::CreateRoot("root");
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  http::CertificateStore* no_store = nullptr;  // not consulted without a handshake
  ASSERT_TRUE(http::ConfigureServerTls(*ctx, no_store));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    SCOPED_TRACE(SSL_CIPHER_get_name(c));
    EXPECT_EQ(SSL_CIPHER_is_aead(c), 1);
    const int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any);  // any: TLS 1.3 suites
  }
  SSL_CTX_free(ctx);
}

struct HandshakeCase {
  const char* name;
  int max_version;
  const char* cipher_list;  // empty: client default
  bool allow_legacy;
  bool want_ok;
  const char* want_protocol;  // when ok
};

void RunHandshakeTable(ServerHarness& h, const std::vector<HandshakeCase>& cases) {
  for (const HandshakeCase& c : cases) {
    SCOPED_TRACE(c.name);
    TlsClientOptions o = h.ClientOptions();
    o.max_version = c.max_version;
    o.cipher_list = c.cipher_list;
    o.allow_legacy = c.allow_legacy;
    std::string error;
    auto client = TlsTestClient::Connect(h.port(), o, &error);
    if (c.want_ok) {
      ASSERT_NE(client, nullptr) << error;
      EXPECT_EQ(client->Protocol(), c.want_protocol);
      auto reply = client->Exchange(testing::HttpRequest("GET", "/healthz"), &error);
      ASSERT_TRUE(reply.has_value()) << error;
      EXPECT_EQ(reply->status, 200);
    } else {
      EXPECT_EQ(client, nullptr) << "negotiated " << client->Protocol() << " " << client->Cipher();
      // The client did offer it: the server refused the handshake.
      EXPECT_EQ(error.rfind("handshake failed", 0), 0u) << error;
    }
  }
}

TEST(ServerTlsHandshakeTest, EcdsaServerAcceptsModernRefusesOldAndWeak) {
  ServerHarness h(NeverCalled);
  RunHandshakeTable(
      h, {
             {"tls13", 0, "", false, true, "TLSv1.3"},
             {"tls12 aes-gcm", TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", false, true,
              "TLSv1.2"},
             {"tls12 chacha20", TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305", false, true,
              "TLSv1.2"},
             {"tls11", TLS1_1_VERSION, "DEFAULT@SECLEVEL=0", true, false, ""},
             {"tls10", TLS1_VERSION, "DEFAULT@SECLEVEL=0", true, false, ""},
             {"tls12 cbc only", TLS1_2_VERSION,
              "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:"
              "ECDHE-ECDSA-AES256-SHA384",
              false, false, ""},
             {"tls12 null cipher", TLS1_2_VERSION, "ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0", true, false,
              ""},
         });
}

TEST(ServerTlsHandshakeTest, RsaServerAcceptsModernRefusesOldAndWeak) {
  HarnessOptions options;
  options.key_type = KeyType::kRsa2048;  // cert-manager's default key algorithm
  ServerHarness h(NeverCalled, options);
  RunHandshakeTable(
      h,
      {
          {"tls13", 0, "", false, true, "TLSv1.3"},
          {"tls12 aes-gcm", TLS1_2_VERSION, "ECDHE-RSA-AES256-GCM-SHA384", false, true, "TLSv1.2"},
          {"tls11", TLS1_1_VERSION, "DEFAULT@SECLEVEL=0", true, false, ""},
          {"tls12 static rsa key exchange", TLS1_2_VERSION, "AES128-GCM-SHA256:AES256-GCM-SHA384",
           false, false, ""},
          {"tls12 cbc", TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA256", false,
           false, ""},
          {"tls12 finite-field dhe", TLS1_2_VERSION, "DHE-RSA-AES128-GCM-SHA256", false, false, ""},
          {"tls12 null cipher", TLS1_2_VERSION, "NULL-SHA256:@SECLEVEL=0", true, false, ""},
      });
}

TEST(ServerTlsHandshakeTest, ChainWithIntermediateVerifiesAgainstRootOnly) {
  HarnessOptions options;
  options.with_intermediate = true;
  ServerHarness h(NeverCalled, options);
  auto client = h.Connect();  // trusts only the root: needs the intermediate from the server
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->PeerCommonName(), "webhook-1");
}

}  // namespace
}  // namespace memsecret::webhook
