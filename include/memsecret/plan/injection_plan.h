// InjectionPlan: what the webhook decided and the injector carries out.
// The webhook encodes it as JSON into the injector's MEMSECRET_PLAN env var;
// the injector decodes it. It holds references and settings only — never a
// secret value, token or credential. Every field has a safe default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/backend.h"
#include "memsecret/issuer.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret {

enum class Lifecycle { kSidecar, kInit };
enum class OutputFormat { kRaw, kJson, kEnv };
enum class FileKind { kSecret, kToken };

const char* LifecycleName(Lifecycle l);        // "sidecar", "init"
const char* OutputFormatName(OutputFormat f);  // "raw", "json", "env"
const char* FileKindName(FileKind k);          // "secret", "token"
Result<Lifecycle> ParseLifecycle(std::string_view s);
Result<OutputFormat> ParseOutputFormat(std::string_view s);

// Output file names: 1–63 chars of [A-Za-z0-9._-], not starting with '.'.
// Checked at admission and again by the injector before any write.
bool IsValidFileName(std::string_view name);

// Environment variable names: [A-Za-z_][A-Za-z0-9_]*, at most 128 chars (the
// env-var-<name> annotation, pipeline --env, env-format keys).
bool IsValidEnvVarName(std::string_view name);

// File name -> an environment variable name ("db-password" -> "DB_PASSWORD",
// "9lives" -> "_9LIVES").
std::string EnvVarFromFileName(std::string_view file_name);

// How to mint an OAuth token from the credentials at PlannedFile::ref.
struct TokenSpec {
  IssuerRef issuer;      // genesys[:<host>], cxone[:<area>] or an https:// token URL
  std::string scope;     // optional
  std::string audience;  // optional (generic issuers)
  bool operator==(const TokenSpec&) const = default;
};

struct PlannedFile {
  std::string name;  // file name inside the output directory
  FileKind kind = FileKind::kSecret;
  SecretRef ref;  // the secret, or for tokens the client credentials
  OutputFormat format = OutputFormat::kRaw;
  uint32_t mode = 0400;
  std::optional<TokenSpec> token;  // set iff kind == kToken
  // Format env: the variable that holds the value (a secret's single value or
  // field; a token's access token, with <var>_TYPE and <var>_EXPIRES_AT beside
  // it). Empty: the default naming (docs/annotations.md).
  std::string env_var;
  // The `rotation` rule's maxAge for this file's secret (for tokens: the
  // client credentials), resolved by whoever built the plan (the webhook's
  // config, or the pipeline commands' rules). 0: no rule applies.
  int64_t rotation_max_age_seconds = 0;
  bool operator==(const PlannedFile&) const = default;
};

// The variables an env-format file is known to define from the plan alone
// (empty for other formats): a token's <V>, <V>_TYPE, <V>_EXPIRES_AT with V =
// env_var or <FILE_NAME>_ACCESS_TOKEN; a secret's env_var, else its #field's
// name. A whole secret without env_var defines names only its value knows.
// Used to refuse two files that would define the same variable.
std::vector<std::string> KnownEnvVars(const PlannedFile& file);

// The access-token variable of a token file's env format.
std::string TokenEnvVar(const PlannedFile& file);

struct PodIdentity {
  std::string namespace_name;
  std::string service_account;
  std::string name;  // often empty at admission (generateName); injector may use MEMSECRET_POD_NAME
  bool operator==(const PodIdentity&) const = default;
};

struct InjectionPlan {
  static constexpr int kVersion = 1;

  PodIdentity pod;
  Lifecycle lifecycle = Lifecycle::kSidecar;
  std::string output_dir = "/var/run/secrets/memsecret";
  int64_t refresh_interval_seconds = 300;    // 0 = secrets are never re-read
  double token_refresh_fraction = 0.75;      // refresh at this fraction of expires_in
  int64_t token_min_remaining_seconds = 60;  // never later than this before expiry
  std::vector<PlannedFile> files;
  // The settings of each backend a file uses (memsecret/backend.h), by
  // backend name; each backend's spec part reads its own.
  PlanSettings backends;
  // The port the injector serves Prometheus metrics on (GET /metrics, all
  // addresses); 0: no metrics endpoint. Sidecar lifecycle only.
  int metrics_port = 0;
  // The port of the loopback endpoint compatible with the AWS Secrets
  // Manager Agent (127.0.0.1 only; injector/agent/); 0: none. Sidecar
  // lifecycle only.
  int agent_port = 0;

  bool operator==(const InjectionPlan&) const = default;
};

// A port the injector listens on, named by the key that set it
// ("metrics-port", "agent-port").
struct InjectorPort {
  std::string key;
  int port = 0;
};

// Every port the plan makes the injector listen on (zeros left out). Add a
// new listener here and the distinct-port rule covers it.
std::vector<InjectorPort> InjectorPorts(const InjectionPlan& plan);

// The one rule for the injector's ports: each 1024-65535 and no two equal.
// Errors name both keys ("agent-port and metrics-port are both 9090").
Status CheckInjectorPorts(const std::vector<InjectorPort>& ports);

// JSON codec. Encode is deterministic (stable key order). Decode rejects
// unknown versions, invalid file names, duplicate names and bad refs with a
// message naming the field.
std::string EncodePlan(const InjectionPlan& plan);
Result<InjectionPlan> DecodePlan(std::string_view json);

}  // namespace memsecret
