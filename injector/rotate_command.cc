// `memsecret rotate`: flags -> providers, writers, issuer, client API and
// census -> rotation::Rotator; one JSON audit line per step on stderr, the
// outcome on stdout (docs/rotation.md).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

#include "injector/base/read_file.h"
#include "injector/commands.h"
#include "injector/oauth/credentials.h"
#include "injector/oauth/genesys_client_api.h"
#include "injector/oauth/issuer_factory.h"
#include "injector/rotate_args.h"
#include "injector/rotation/prometheus_census.h"
#include "injector/rotation/rotator.h"
#include "injector/session/session.h"
#include "memsecret/duration.h"
#include "memsecret/issuer.h"
#include "memsecret/json_writer.h"
#include "memsecret/plan/backends.h"
#include "memsecret/rfc3339.h"
#include "memsecret/url.h"

namespace memsecret::injector {
namespace {

void PrintStep(const std::string& ref, const rotation::RotationStep& step, const Clock& clock) {
  std::string line;
  JsonWriter w(&line);
  w.BeginObject()
      .Member("time", FormatRfc3339Millis(clock.Now()))
      .Member("level", step.outcome == "error" ? "error" : "info")
      .Member("kind", "rotation")
      .Member("ref", ref)
      .Member("step", step.step)
      .Member("outcome", step.outcome);
  if (!step.client_id.empty()) w.Member("client_id", step.client_id);
  if (!step.version.empty()) w.Member("version", step.version);
  if (!step.detail.empty()) w.Member("detail", step.detail);
  w.EndObject();
  std::fprintf(stderr, "%s\n", line.c_str());
}

Result<oauth::ClientCredentials> ReadCredentials(SecretProvider* reader, const SecretRef& ref) {
  SecretRef whole = ref;
  whole.field.reset();
  FetchResult r = reader->Fetch(whole);
  if (!r.ok()) return r.status;
  auto c = oauth::ParseClientCredentials(r.secret->value);
  if (!c.ok()) return c.status().WithContext("credentials at " + whole.ToString());
  return c;
}

Result<SecretValue> ReadReplacement(const std::string& path) {
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return SecretValue(std::move(text));
  }
  auto v = ReadSecretFile(path);
  if (!v.ok()) return v.status().WithContext("--new-from-file");
  return v;
}

}  // namespace

int RotateCommand(const std::string& prog, const std::vector<std::string>& args,
                  const Environment& env) {
  auto usage = [&](const std::string& problem) {
    std::fprintf(stderr, "%s rotate: %s\n", prog.c_str(), problem.c_str());
    return static_cast<int>(rotation::RotationExit::kUsage);
  };
  auto failed = [&](const std::string& problem) {
    std::fprintf(stderr, "%s rotate: %s\n", prog.c_str(), problem.c_str());
    return static_cast<int>(rotation::RotationExit::kFailed);
  };
  RotateArgs a;
  std::vector<std::string> problems;
  if (!ParseRotateArgs(args, &a, &problems)) {
    for (const auto& p : problems) usage(p);
    return 2;
  }
  auto ref = ParseSecretRef(a.ref);
  if (!ref.ok()) return usage("REF: " + ref.status().message());
  std::optional<SecretRef> admin;
  if (!a.admin.empty()) {
    auto parsed = ParseSecretRef(a.admin);
    if (!parsed.ok()) return usage("--admin: " + parsed.status().message());
    admin = *parsed;
  }
  if (!a.prometheus.empty()) {
    if (auto u = ParseOutboundUrl(a.prometheus, "--prometheus"); !u.ok())
      return usage(u.status().message());
    while (a.prometheus.ends_with("/")) a.prometheus.pop_back();
  }
  auto endpoints = oauth::ReadIssuerEndpoints(env);
  if (!endpoints.ok()) return usage(endpoints.status().message());

  SystemClock clock;
  auto http = MakeHttpClient();
  std::vector<std::unique_ptr<HttpClient>> extra_http;
  const ProviderContext ctx{env, clock, *http, [&extra_http](const TlsOptions& tls) -> HttpClient& {
                              extra_http.push_back(MakeHttpClient(tls));
                              return *extra_http.back();
                            }};
  const PlanSettings settings;  // none: every backend reads its settings from the environment
  auto reader = MakeProvider(ref->provider, settings, ctx);
  if (!reader.ok()) return usage(reader.status().message());
  auto store = MakeCredentialStore(*ref, reader->get(), settings, ctx);
  if (!store.ok()) return usage(store.status().message());

  auto current = ReadCredentials(reader->get(), *ref);
  if (!current.ok()) return failed(current.status().message());
  std::string issuer_text = a.issuer;
  if (issuer_text.empty()) {
    if (current->region.empty())
      return usage("--issuer is required: the credentials have no region/domain field");
    issuer_text = "genesys";
  }
  auto issuer_ref = ParseIssuer(issuer_text);
  if (!issuer_ref.ok()) return usage("--issuer: " + issuer_ref.status().message());
  auto issuer = oauth::MakeTokenIssuer(*issuer_ref, http.get(), *endpoints);
  if (!issuer.ok()) return usage("--issuer: " + issuer.status().message());
  oauth::TokenIssuer* mint = issuer->get();

  auto sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  rotation::RotatorDeps deps;
  deps.store = store->get();
  deps.clock = &clock;
  deps.sleep = sleep;
  const std::string ref_text = ref->ToString();
  deps.report = [&](const rotation::RotationStep& s) { PrintStep(ref_text, s, clock); };
  deps.verify = [mint, &clock](const SecretValue& document) {
    auto c = oauth::ParseClientCredentials(document);
    if (!c.ok()) return c.status();
    return mint->Mint(*c, {}, clock.Now()).status;
  };
  std::unique_ptr<rotation::PrometheusCensus> census;
  if (!a.prometheus.empty()) {
    census = std::make_unique<rotation::PrometheusCensus>(a.prometheus, http.get());
    deps.census = census.get();
  }
  rotation::RotatorOptions options;
  options.dry_run = a.dry_run;
  options.if_older_than = a.if_older_than;
  options.census_timeout = a.census_timeout;

  rotation::RotationOutcome outcome;
  if (a.new_from_file) {
    auto replacement = ReadReplacement(*a.new_from_file);
    if (!replacement.ok()) return usage(replacement.status().message());
    outcome = rotation::Rotator(deps, options).StoreReplacement(*replacement);
  } else {
    if (issuer_ref->kind != IssuerKind::kGenesys)
      return usage("issuer " + issuer_text +
                   " has no client API: create the new key yourself and pass --new-from-file");
    if (!admin) return usage("--admin ADMIN_REF is required for an automatic rotation");
    std::unique_ptr<SecretProvider> admin_reader_owned;
    SecretProvider* admin_reader = reader->get();
    if (admin->provider != ref->provider) {
      auto r = MakeProvider(admin->provider, settings, ctx);
      if (!r.ok()) return usage("--admin: " + r.status().message());
      admin_reader_owned = std::move(r).value();
      admin_reader = admin_reader_owned.get();
    }
    auto admin_creds = ReadCredentials(admin_reader, *admin);
    if (!admin_creds.ok()) return failed("--admin: " + admin_creds.status().message());
    const std::string region = issuer_ref->host.empty() ? current->region : issuer_ref->host;
    if (admin_creds->region.empty()) admin_creds->region = region;
    auto admin_token = mint->Mint(*admin_creds, {}, clock.Now());
    if (!admin_token.ok())
      return failed("--admin: cannot mint an admin token: " + admin_token.status.message());
    auto api_url = oauth::GenesysApiUrl(region, endpoints->genesys_api_url);
    if (!api_url.ok()) return usage(api_url.status().message());
    oauth::GenesysClientApi api(*api_url, admin_token.token->access_token, http.get(), sleep);
    deps.clients = &api;
    outcome = rotation::Rotator(deps, options).RotateClient();
  }
  std::fprintf(outcome.exit == rotation::RotationExit::kDone ? stdout : stderr, "%s rotate: %s\n",
               prog.c_str(), outcome.message.c_str());
  return static_cast<int>(outcome.exit);
}

}  // namespace memsecret::injector
