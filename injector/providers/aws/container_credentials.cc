#include "injector/providers/aws/container_credentials.h"

#include <nlohmann/json.hpp>

#include "injector/base/read_file.h"
#include "injector/providers/aws/aws_response.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::aws {

namespace {

class ContainerSource final : public CredentialSource {
 public:
  ContainerSource(ContainerCredentialsConfig config, HttpClient& http)
      : config_(std::move(config)), http_(http) {}

  std::string Describe() const override {
    return "container credentials (" + config_.full_uri + ")";
  }

  Result<AwsCredentials> Fetch() override {
    Status last;
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto r = Once();
      if (r.ok() || !r.status().retryable()) {
        if (!r.ok())
          return r.status().WithContext("container credentials from " + config_.full_uri);
        return r;
      }
      last = r.status();
    }
    return last.WithContext("container credentials from " + config_.full_uri + " (3 tries)");
  }

 private:
  Result<AwsCredentials> Once() {
    HttpRequest req;
    req.url = config_.full_uri;
    req.timeout = std::chrono::seconds(2);
    req.headers = {{"Accept", "application/json"}};
    SecretValue token;
    if (!config_.token_file.empty()) {
      auto t = ReadSecretFile(config_.token_file);
      if (!t.ok()) return t.status().WithContext("authorization token");
      token = std::move(t).value();
    } else if (!config_.token_env_value.empty()) {
      token = SecretValue(config_.token_env_value);
    }
    if (!token.empty()) {
      if (token.Reveal().find_first_of("\r\n") != std::string_view::npos)
        return InvalidArgument("authorization token contains a line break");
      req.headers.emplace_back("Authorization", std::string(token.Reveal()));
    }
    auto resp = http_.Send(req);
    for (auto& h : req.headers) SecureWipe(h.second);
    if (!resp.ok()) return resp.status();
    auto creds = Parse(*resp);
    SecureWipe(resp->body);
    return creds;
  }

  static Result<AwsCredentials> Parse(const HttpResponse& resp) {
    auto j = nlohmann::json::parse(resp.body, nullptr, false);
    if (resp.status != 200) {
      std::string what = "HTTP " + std::to_string(resp.status);
      if (j.is_object() && j.contains("Message") && j["Message"].is_string())
        what += ": " + CleanRemoteText(j["Message"].get<std::string>());
      if (resp.status >= 500 || resp.status == 429) return Unavailable(what);
      if (resp.status == 401 || resp.status == 403) return Unauthenticated(what);
      return InvalidArgument(what);
    }
    auto str = [&](const char* key) -> std::string {
      return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                    : "";
    };
    AwsCredentials c;
    c.access_key_id = str("AccessKeyId");
    c.secret_access_key = SecretValue(str("SecretAccessKey"));
    c.session_token = SecretValue(str("Token"));
    std::string exp = str("Expiration");
    if (c.access_key_id.empty() || c.secret_access_key.empty())
      return Internal("response lacks AccessKeyId/SecretAccessKey");
    if (!exp.empty()) {
      auto when = ParseRfc3339(exp);
      if (!when.ok()) return when.status().WithContext("Expiration");
      c.expiration = *when;
    }
    return c;
  }

  ContainerCredentialsConfig config_;
  HttpClient& http_;
};

class StaticSource final : public CredentialSource {
 public:
  explicit StaticSource(AwsCredentials creds) : creds_(std::move(creds)) {}
  std::string Describe() const override { return "static keys (" + creds_.access_key_id + ")"; }
  Result<AwsCredentials> Fetch() override { return creds_; }

 private:
  AwsCredentials creds_;
};

}  // namespace

std::unique_ptr<CredentialSource> MakeContainerCredentialsSource(ContainerCredentialsConfig config,
                                                                 HttpClient& http) {
  return std::make_unique<ContainerSource>(std::move(config), http);
}

std::unique_ptr<CredentialSource> MakeStaticCredentialsSource(AwsCredentials creds) {
  return std::make_unique<StaticSource>(std::move(creds));
}

}  // namespace memsecret::injector::aws
