// Vault over https: VAULT_CACERT trusts the server, an untrusted certificate
// is a retryable transport error naming TLS, and VAULT_SKIP_VERIFY is
// honoured only when the webhook configuration allows it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "injector/providers/vault/vault_provider.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"
#include "testing/python_fake_process.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::vault {
namespace {

constexpr const char* kTlsJwt = "eyJhbGciOiJSUzI1NiJ9.TLS-JWT.sig";

// A throwaway self-signed certificate for 127.0.0.1; returns the key path.
std::string MakeCertificate(const TempDir& dir) {
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      dir.path() + "/key.pem -out " + dir.path() + "/cert.pem 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
  return dir.path() + "/key.pem";
}

class VaultTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Control({{"op", "mount"}, {"path", "secret"}});
    fake_.Control({{"op", "kv_put"}, {"mount", "secret"}, {"path", "app"}, {"data", {{"k", "v"}}}});
    fake_.Control({{"op", "k8s_role"}, {"role", "app"}, {"jwt", kTlsJwt}});
    std::ofstream(dir_.path() + "/jwt") << kTlsJwt;
    settings_.addr = fake_.url();
    settings_.role = "app";
    settings_.token_file = dir_.path() + "/jwt";
  }

  FetchResult Fetch() {
    auto p = MakeVaultProvider(settings_, env_, clock_);
    if (!p.ok()) return FetchResult::Failure(p.status());
    return (*p)->Fetch(*ParseSecretRef("vault:secret/app"));
  }

  TempDir dir_;
  std::string key_ = MakeCertificate(dir_);
  std::string cert_ = dir_.path() + "/cert.pem";
  memsecret::testing::PythonFakeProcess fake_{
      "vault_fake.py", {"--tls-cert", cert_, "--tls-key", key_}, cert_};
  SystemClock clock_;
  MapEnvironment env_;
  VaultSettings settings_;
};

TEST_F(VaultTlsTest, CaCertFromEnvironmentIsTrusted) {
  ASSERT_EQ(fake_.url().rfind("https://", 0), 0u);
  env_.Set("VAULT_CACERT", cert_);
  auto r = Fetch();
  ASSERT_TRUE(r.ok()) << r.status.ToString();
  EXPECT_EQ(r.secret->version, "1");
}

TEST_F(VaultTlsTest, UntrustedCertificateFailsRetryably) {
  auto r = Fetch();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status.retryable());
  EXPECT_NE(r.status.message().find("TLS"), std::string::npos) << r.status.message();
  EXPECT_EQ(fake_.Stats()["login"], 0);
}

TEST_F(VaultTlsTest, SkipVerifyNeedsTheWebhooksPermission) {
  env_.Set("VAULT_SKIP_VERIFY", "true");
  auto refused = Fetch();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status.code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status.message().find("VAULT_SKIP_VERIFY"), std::string::npos);
  settings_.allow_skip_verify = true;
  auto r = Fetch();
  ASSERT_TRUE(r.ok()) << r.status.ToString();
}

}  // namespace
}  // namespace memsecret::injector::vault
