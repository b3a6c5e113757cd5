#include "injector/providers/vault/vault_auth.h"

#include <nlohmann/json.hpp>

#include "injector/base/read_file.h"
#include "memsecret/unix_time.h"

namespace memsecret::injector::vault {

namespace {

using nlohmann::json;

constexpr const char* kRoleRule =
    "with vault-role set, Vault is logged in to with that role: JWT auth when "
    "MEMSECRET_VAULT_JWT_FILE is set, else Kubernetes auth; VAULT_TOKEN and VAULT_TOKEN_FILE "
    "are used only without vault-role";

std::chrono::seconds Seconds(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::chrono::seconds(0);
  // Clamped to ten years: a huge number from the server must not overflow.
  return ClampRemoteSeconds(it->get<double>(), std::chrono::hours(24 * 365 * 10));
}

bool Bool(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

// Kubernetes and JWT auth send the same login ({role, jwt}); `method` names
// which one this is ("kubernetes" or "JWT") in logs and errors.
class RoleJwtAuth final : public VaultAuthenticator {
 public:
  RoleJwtAuth(std::string method, std::string auth_path, std::string role, std::string jwt_file,
              VaultHttp& http)
      : method_(std::move(method)),
        auth_path_(std::move(auth_path)),
        role_(std::move(role)),
        jwt_file_(std::move(jwt_file)),
        http_(http) {}

  std::string Describe() const override {
    return method_ + " auth (role " + role_ + " at auth/" + auth_path_ + ", JWT from " + jwt_file_ +
           ")";
  }

  Result<VaultLogin> Login() override {
    auto r = LoginOnce();
    if (!r.ok()) return r.status().WithContext("vault login with " + Describe());
    return r;
  }

 private:
  Result<VaultLogin> LoginOnce() {
    auto jwt = ReadSecretFile(jwt_file_);
    if (!jwt.ok()) {
      // The rule that chose this method, for the user who expected VAULT_TOKEN.
      return Status(jwt.status().code(),
                    std::string(method_ == "JWT" ? "JWT file (MEMSECRET_VAULT_JWT_FILE)"
                                                 : "service account token") +
                        ": " + jwt.status().message() + " (" + kRoleRule + ")");
    }
    json body = json::object();
    body["role"] = role_;
    body["jwt"] = std::string(jwt->Reveal());  // moved into the json, wiped below
    std::string text = body.dump();
    SecureWipe(body["jwt"].get_ref<std::string&>());
    auto resp = http_.Send("POST", "/v1/auth/" + auth_path_ + "/login", nullptr, std::move(text));
    if (!resp.ok()) return resp.status();
    if (!IsVaultSuccess(resp->status)) {
      Status st = VaultHttp::ErrorOf(*resp, jwt->Reveal());
      SecureWipe(resp->body);
      return st;
    }
    VaultLogin login;
    if (Status st = ParseAuthBlock(resp->body, &login); !st.ok()) return st;
    return login;
  }

  std::string method_, auth_path_, role_, jwt_file_;
  VaultHttp& http_;
};

class TokenAuth final : public VaultAuthenticator {
 public:
  TokenAuth(SecretValue token, std::string token_file, VaultHttp& http)
      : token_(std::move(token)), token_file_(std::move(token_file)), http_(http) {}

  std::string Describe() const override {
    return token_file_.empty() ? "VAULT_TOKEN" : "token file " + token_file_;
  }

  Result<VaultLogin> Login() override {
    auto r = LookupSelf();
    if (!r.ok()) return r.status().WithContext("vault token lookup-self for " + Describe());
    return r;
  }

 private:
  Result<VaultLogin> LookupSelf() {
    VaultLogin login;
    if (token_file_.empty()) {
      login.token = token_;
    } else {
      auto t = ReadSecretFile(token_file_);
      if (!t.ok()) return t.status();
      login.token = std::move(t).value();
    }
    auto resp = http_.Send("GET", "/v1/auth/token/lookup-self", &login.token);
    if (!resp.ok()) return resp.status();
    json j = json::parse(resp->body, nullptr, false);
    if (!IsVaultSuccess(resp->status)) {
      Status st = VaultHttp::ErrorOf(*resp, login.token.Reveal());
      SecureWipe(resp->body);
      if (st.code() == Code::kPermissionDenied)
        return Unauthenticated(st.message() + " (the token is invalid or expired)");
      return st;
    }
    SecureWipe(resp->body);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_object())
      return Internal("lookup-self response has no data object");
    json& data = j["data"];
    if (auto id = data.find("id"); id != data.end() && id->is_string())
      SecureWipe(id->get_ref<std::string&>());
    login.lease_duration = Seconds(data, "ttl");
    login.renewable = Bool(data, "renewable");
    return login;
  }

  SecretValue token_;
  std::string token_file_;
  VaultHttp& http_;
};

}  // namespace

Status ParseAuthBlock(std::string& body, VaultLogin* out) {
  json j = json::parse(body, nullptr, false);
  SecureWipe(body);
  if (!j.is_object() || !j.contains("auth") || !j["auth"].is_object())
    return Internal("response has no auth block");
  json& auth = j["auth"];
  auto token = auth.find("client_token");
  if (token == auth.end() || !token->is_string() || token->get_ref<std::string&>().empty())
    return Internal("response's auth block has no client_token");
  out->token = SecretValue(std::move(token->get_ref<std::string&>()));
  SecureWipe(token->get_ref<std::string&>());
  out->lease_duration = Seconds(auth, "lease_duration");
  out->renewable = Bool(auth, "renewable");
  return Status::Ok();
}

std::unique_ptr<VaultAuthenticator> MakeKubernetesAuth(std::string auth_path, std::string role,
                                                       std::string jwt_file, VaultHttp& http) {
  return std::make_unique<RoleJwtAuth>("kubernetes", std::move(auth_path), std::move(role),
                                       std::move(jwt_file), http);
}

std::unique_ptr<VaultAuthenticator> MakeJwtAuth(std::string auth_path, std::string role,
                                                std::string jwt_file, VaultHttp& http) {
  return std::make_unique<RoleJwtAuth>("JWT", std::move(auth_path), std::move(role),
                                       std::move(jwt_file), http);
}

std::unique_ptr<VaultAuthenticator> MakeTokenAuth(SecretValue token, std::string token_file,
                                                  VaultHttp& http) {
  return std::make_unique<TokenAuth>(std::move(token), std::move(token_file), http);
}

std::unique_ptr<VaultAuthenticator> MakeAuthenticator(const VaultConfig& config, VaultHttp& http) {
  if (config.auth == AuthMethod::kKubernetes)
    return MakeKubernetesAuth(config.auth_path, config.role, config.jwt_file, http);
  if (config.auth == AuthMethod::kJwt)
    return MakeJwtAuth(config.auth_path, config.role, config.jwt_file, http);
  return MakeTokenAuth(config.token, config.token_file, http);
}

}  // namespace memsecret::injector::vault
