// The injector as an AWS Secrets Manager rotation function (docs/rotation.md
// "A Secrets Manager rotation function"): configuration from the function's
// environment, then lambda/function_loop.h over the Runtime API with
// lambda/genesys_rotation_steps.h (rotation::Rotator's steps, the strategy
// `memsecret rotate` runs), wired to the same providers, writer, issuer and
// Genesys client API.
#include <sys/stat.h>

#include <cstdio>
#include <thread>

#include "injector/commands.h"
#include "injector/lambda/function_loop.h"
#include "injector/lambda/genesys_rotation_steps.h"
#include "injector/lambda/runtime_api.h"
#include "injector/oauth/credentials.h"
#include "injector/oauth/genesys_client_api.h"
#include "injector/oauth/issuer_factory.h"
#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/secrets_manager_writer.h"
#include "injector/session/session.h"
#include "memsecret/issuer.h"
#include "memsecret/log.h"
#include "memsecret/plan/backends.h"

namespace memsecret::injector {
namespace {

// Amazon Linux 2023's CA bundle: the OpenSSL linked into the binary looks in
// Debian's directories, which the Lambda runtime does not have.
constexpr const char* kAmazonLinuxCaBundle = "/etc/pki/tls/certs/ca-bundle.crt";

TlsOptions RuntimeTls(const Environment& env) {
  TlsOptions tls;
  struct stat st {};
  if (!env.Get("SSL_CERT_FILE") && !env.Get("SSL_CERT_DIR") &&
      ::stat(kAmazonLinuxCaBundle, &st) == 0)
    tls.ca_file = kAmazonLinuxCaBundle;
  return tls;
}

struct FunctionConfig {
  SecretRef admin;
  IssuerRef issuer;  // Genesys; an empty host: the credential's region
};

Result<FunctionConfig> ReadConfig(const Environment& env) {
  FunctionConfig c;
  const std::string admin = env.GetOr("MEMSECRET_ROTATION_ADMIN");
  if (admin.empty())
    return InvalidArgument(
        "MEMSECRET_ROTATION_ADMIN is not set: the ref of the admin client's credentials");
  auto ref = ParseSecretRef(admin);
  if (!ref.ok()) return ref.status().WithContext("MEMSECRET_ROTATION_ADMIN");
  c.admin = *ref;
  std::string text = env.GetOr("MEMSECRET_ROTATION_ISSUER", "genesys");
  if (text.empty()) text = "genesys";
  auto issuer = ParseIssuer(text);
  if (!issuer.ok()) return issuer.status().WithContext("MEMSECRET_ROTATION_ISSUER");
  if (issuer->kind != IssuerKind::kGenesys)
    return InvalidArgument("MEMSECRET_ROTATION_ISSUER: " + text +
                           " has no client API; the function rotates Genesys Cloud clients "
                           "(genesys or genesys:<host>)");
  c.issuer = std::move(issuer).value();
  return c;
}

void LogInvocation(const lambda::InvocationReport& r) {
  const bool ok = r.outcome.ok() && r.posted.ok();
  LogEvent(ok ? spdlog::level::info : spdlog::level::warn, "rotation invocation",
           {{"request_id", r.request_id},
            {"step", r.event ? lambda::StepName(r.event->step) : "?"},
            {"secret_id", r.event ? r.event->secret_id : ""},
            {"version", r.event ? r.event->token : ""},
            {"outcome", r.outcome.ok() ? "ok" : "error"},
            {"error", r.outcome.ok() ? "" : r.outcome.ToString()},
            {"posted", r.posted.ok() ? "ok" : r.posted.ToString()}});
}

void LogStep(const std::string& secret_id, const rotation::RotationStep& s) {
  LogEvent(s.outcome == "error" ? spdlog::level::warn : spdlog::level::info, "rotation step",
           {{"secret_id", secret_id},
            {"step", s.step},
            {"outcome", s.outcome},
            {"client_id", s.client_id},
            {"version", s.version},
            {"detail", s.detail}});
}

}  // namespace

int LambdaCommand(const Environment& env) {
  InitJsonLogging("rotation-function", env.GetOr("MEMSECRET_LOG_LEVEL", "info"));
  auto base = lambda::RuntimeApiBase(env.GetOr("AWS_LAMBDA_RUNTIME_API"));
  if (!base.ok()) {
    std::fprintf(stderr, "memsecret-injector: %s\n", base.status().message().c_str());
    return 2;
  }
  auto runtime_http = MakeHttpClient();
  lambda::HttpRuntimeApi api(*base, runtime_http.get());
  auto init_error = [&](const Status& st) {
    LogEvent(spdlog::level::err, "rotation function cannot start", {{"error", st.message()}});
    (void)api.InitError({"Rotation.InvalidConfig", st.message()});
    return 1;
  };

  auto config = ReadConfig(env);
  if (!config.ok()) return init_error(config.status());
  auto endpoints = oauth::ReadIssuerEndpoints(env);
  if (!endpoints.ok()) return init_error(endpoints.status());

  SystemClock clock;
  auto http = MakeHttpClient(RuntimeTls(env));
  std::vector<std::unique_ptr<HttpClient>> extra_http;
  const ProviderContext ctx{env, clock, *http, [&extra_http](const TlsOptions& tls) -> HttpClient& {
                              extra_http.push_back(MakeHttpClient(tls));
                              return *extra_http.back();
                            }};
  const PlanSettings settings;  // none: every backend reads its settings from the environment
  auto reader = MakeProvider(kAwsBackend, settings, ctx);
  if (!reader.ok()) return init_error(reader.status().WithContext("aws"));
  std::unique_ptr<SecretProvider> admin_owned;
  if (config->admin.provider != kAwsBackend) {
    auto r = MakeProvider(config->admin.provider, settings, ctx);
    if (!r.ok()) return init_error(r.status().WithContext("MEMSECRET_ROTATION_ADMIN"));
    admin_owned = std::move(r).value();
  }
  SecretProvider* admin_source = admin_owned ? admin_owned.get() : reader->get();
  auto writer = aws::MakeSecretsManagerWriter(AwsSettings{}, env, *http, clock);
  if (!writer.ok()) return init_error(writer.status().WithContext("aws"));
  auto issuer = oauth::MakeTokenIssuer(config->issuer, http.get(), *endpoints);
  if (!issuer.ok()) return init_error(issuer.status().WithContext("MEMSECRET_ROTATION_ISSUER"));
  oauth::TokenIssuer* mint = issuer->get();
  auto sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };

  lambda::GenesysStepsDeps deps;
  deps.reader = reader->get();
  aws::SecretsManagerWriter* sm = writer->get();
  deps.stage = [sm](const std::string& secret_id, const SecretValue& value,
                    const std::string& token) {
    return sm->PutSecretValue(secret_id, value, token, {"AWSPENDING"}).status();
  };
  deps.describe = [sm](const std::string& secret_id) { return sm->DescribeSecret(secret_id); };
  deps.promote = [sm](const std::string& secret_id, const std::string& token,
                      const std::string& from) {
    return sm->UpdateSecretVersionStage(secret_id, "AWSCURRENT", token, from);
  };
  deps.clock = &clock;
  deps.sleep = sleep;
  deps.report = LogStep;
  deps.verify = [mint, &clock](const SecretValue& document) {
    auto c = oauth::ParseClientCredentials(document);
    if (!c.ok()) return c.status();
    return mint->Mint(*c, {}, clock.Now()).status;
  };
  // A fresh admin token for each step that needs the client API.
  deps.open_clients =
      [&](const SecretValue& credential) -> Result<std::unique_ptr<oauth::OAuthClientDirectory>> {
    auto current = oauth::ParseClientCredentials(credential);
    if (!current.ok()) return current.status();
    SecretRef admin = config->admin;
    admin.field.reset();
    FetchResult r = admin_source->Fetch(admin);
    if (!r.ok()) return r.status.WithContext("MEMSECRET_ROTATION_ADMIN");
    auto admin_creds = oauth::ParseClientCredentials(r.secret->value);
    if (!admin_creds.ok()) return admin_creds.status().WithContext("MEMSECRET_ROTATION_ADMIN");
    const std::string region = config->issuer.host.empty() ? current->region : config->issuer.host;
    if (admin_creds->region.empty()) admin_creds->region = region;
    auto token = mint->Mint(*admin_creds, {}, clock.Now());
    if (!token.ok()) return token.status.WithContext("cannot mint an admin token");
    auto api_url = oauth::GenesysApiUrl(region, endpoints->genesys_api_url);
    if (!api_url.ok()) return api_url.status();
    return std::unique_ptr<oauth::OAuthClientDirectory>(std::make_unique<oauth::GenesysClientApi>(
        *api_url, token.token->access_token, http.get(), sleep));
  };
  lambda::GenesysRotationSteps steps(std::move(deps));
  LogEvent(spdlog::level::info, "rotation function ready",
           {{"admin", config->admin.ToString()}, {"issuer", config->issuer.ToString()}});
  Status end = lambda::ServeInvocations(api, steps, LogInvocation);
  LogEvent(spdlog::level::err, "runtime API unavailable, exiting", {{"error", end.ToString()}});
  FlushLogs();
  return 1;
}

}  // namespace memsecret::injector
