// VaultFixture: a loopback Vault fake (tests/fakes/vault_fake.py) with a
// Kubernetes auth role, KV v2 `secret/`, KV v1 `kv/` and a two-segment KV v2
// mount `team-a/kv`, a projected-token file, a fake clock kept in step with
// the fake's virtual clock, a log capture, and helpers to build the provider
// and to assert that no secret material of the test leaked.
#pragma once

#include <gtest/gtest.h>

#include <fstream>

#include "injector/providers/vault/vault_provider.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"
#include "testing/injector_fakes.h"
#include "testing/python_fake_process.h"
#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector::vault {

inline constexpr const char* kJwt = "eyJhbGciOiJSUzI1NiJ9.VAULT-SA-JWT-ONE.sig";
inline constexpr const char* kJwt2 = "eyJhbGciOiJSUzI1NiJ9.VAULT-SA-JWT-TWO.sig";
inline constexpr const char* kStaticToken = "hvs.STATIC-TOKEN-NEVER-PRINTED";
inline constexpr const char* kSecretWord = "VAULT-TOP-SECRET";  // in every stored value

class VaultFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Control({{"op", "mount"}, {"path", "secret"}, {"version", 2}});
    fake_.Control({{"op", "mount"}, {"path", "kv"}, {"version", 1}});
    fake_.Control({{"op", "mount"}, {"path", "team-a/kv"}, {"version", 2}});
    Put("secret", "genesys/production/cx-pipeline",
        {{"clientId", "cx"}, {"clientSecret", std::string(kSecretWord) + "-1"}});
    Role({});
    settings_.addr = fake_.url();
    settings_.role = "cx-pipeline";
    settings_.token_file = WriteFile("jwt", kJwt);
  }

  // Stores a KV v2 (or v1) value; returns the KV v2 version.
  int Put(const std::string& mount, const std::string& path, const nlohmann::json& data,
          const std::string& ns = "") {
    auto r = fake_.Control(
        {{"op", "kv_put"}, {"namespace", ns}, {"mount", mount}, {"path", path}, {"data", data}});
    return r.value("version", 0);
  }

  // (Re)defines role cx-pipeline; `extra` overrides ttl, max_ttl, renewable, jwt, paths.
  void Role(const nlohmann::json& extra, const std::string& ns = "") {
    nlohmann::json cmd = {{"op", "k8s_role"}, {"namespace", ns}, {"role", "cx-pipeline"},
                          {"jwt", kJwt},      {"ttl", 3600},     {"max_ttl", 0}};
    for (auto& [k, v] : extra.items()) cmd[k] = v;
    fake_.Control(cmd);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << content << "\n";
    return path;
  }

  std::unique_ptr<SecretProvider> Provider() {
    auto p = MakeVaultProvider(settings_, env_, clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  static VaultTokenManager& Tokens(SecretProvider& p) {
    return static_cast<VaultProvider&>(p).tokens();
  }

  // Moves the injector's clock and the fake's virtual clock together.
  void Advance(int seconds) {
    clock_.Advance(std::chrono::seconds(seconds));
    fake_.Control({{"op", "advance"}, {"seconds", seconds}});
  }

  static SecretRef Ref(const std::string& text) {
    auto r = ParseSecretRef(text);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : SecretRef{};
  }

  // No JWT, token or stored value may appear in `text`.
  static void ExpectClean(const std::string& text) {
    for (const char* s : {kJwt, kJwt2, kStaticToken, kSecretWord, "hvs."})
      EXPECT_EQ(text.find(s), std::string::npos) << "leaked " << s << " in: " << text;
  }
  void ExpectLogsClean() { ExpectClean(logs_.text()); }

  memsecret::testing::PythonFakeProcess fake_{"vault_fake.py"};
  FakeClock clock_;
  MapEnvironment env_;
  TempDir dir_;
  VaultSettings settings_;
  LogCapture logs_;
};

}  // namespace memsecret::injector::vault
