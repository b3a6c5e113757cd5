#include "injector/agent/agent_request.h"

#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include "injector/agent/agent_token.h"
#include "injector/wire/percent_encoding.h"
#include "memsecret/base64.h"
#include "memsecret/http/http_request_parser.h"
#include "memsecret/json_writer.h"

namespace memsecret::injector::agent {

namespace {

using http::HttpResponse;

struct Query {
  std::optional<std::string> secret_id, version_id, version_stage, refresh_now;
};

// {"__type":TYPE,"message":MESSAGE}, the error shape of Secrets Manager and
// the Agent. `message` never holds a value or a token.
HttpResponse AwsError(int status, std::string_view type, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.content_type = http::kContentTypeJson;
  JsonWriter w(&r.body);
  w.BeginObject().Member("__type", type).Member("message", message).EndObject();
  return r;
}

HttpResponse BadParameter(std::string_view message) {
  return AwsError(400, "InvalidParameterException", message);
}

// Parses the query of /secretsmanager/get; nullopt with `*error` set when it
// is malformed.
std::optional<Query> ParseQuery(std::string_view q, std::string* error) {
  Query out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) {
      *error = "malformed percent-encoding in the query";
      return std::nullopt;
    }
    std::optional<std::string>* slot = nullptr;
    if (*key == "secretId") slot = &out.secret_id;
    if (*key == "versionId") slot = &out.version_id;
    if (*key == "versionStage") slot = &out.version_stage;
    if (*key == "refreshNow") slot = &out.refresh_now;
    if (slot == nullptr) {
      // Echo a parameter name only when it is short printable ASCII.
      const bool printable =
          key->size() <= 64 &&
          key->find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
              std::string::npos;
      *error = "unknown parameter: " + (printable ? *key : std::string("(unprintable)"));
      return std::nullopt;
    }
    if (*slot) {
      *error = "parameter " + *key + " given twice";
      return std::nullopt;
    }
    *slot = std::move(*value);
  }
  if (!out.secret_id || out.secret_id->empty()) {
    *error = "missing parameter secretId";
    return std::nullopt;
  }
  if ((out.version_id && out.version_id->empty()) ||
      (out.version_stage && out.version_stage->empty())) {
    *error = "versionId and versionStage must not be empty";
    return std::nullopt;
  }
  if (out.refresh_now) {
    std::string v = *out.refresh_now;
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v != "true" && v != "false" && v != "1" && v != "0") {
      *error = "invalid refreshNow value";
      return std::nullopt;
    }
  }
  return out;
}

HttpResponse SecretJson(const CachedSecret& s) {
  HttpResponse r;
  r.content_type = http::kContentTypeJson;
  r.body.reserve(s.value.size() * 2 + 256);
  JsonWriter w(&r.body);
  w.BeginObject().Member("ARN", s.arn).Member("Name", s.name).Member("VersionId", s.version_id);
  if (s.binary)
    w.Member("SecretBinary", Base64Encode(s.value.Reveal()));
  else
    w.Member("SecretString", s.value.Reveal());
  w.Key("VersionStages").BeginArray();
  for (const std::string& stage : s.version_stages) w.String(stage);
  w.EndArray();
  w.Key("CreatedDate");
  if (s.created)
    w.String(AgentCreatedDate(*s.created));
  else
    w.Null();
  w.EndObject();
  return r;
}

}  // namespace

std::string AgentCreatedDate(WallTime created) {
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count();
  const int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t frac = ms - secs * 1000;
  std::string out = std::to_string(secs);
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 3 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

HttpResponse AnswerAgentRequest(const http::HttpRequestView& request, const SecretValue& token,
                                const AgentSecretCache& cache) {
  auto not_allowed = [] {
    HttpResponse r = http::TextResponse(405, "Not allowed");
    r.allow = "GET";
    return r;
  };
  if (request.path == "/ping")  // the Agent's health check: no token
    return request.method == "GET" ? http::TextResponse(200, "healthy") : not_allowed();
  if (!http::HeaderValues(request.headers, "X-Forwarded-For").empty())
    return http::TextResponse(400, "Forwarded");
  const auto presented = http::HeaderValues(request.headers, kAgentTokenHeader);
  if (presented.empty()) return http::TextResponse(401, "Missing token");
  if (presented.size() != 1 || !AgentTokenMatches(presented[0], token))
    return http::TextResponse(403, "Bad Token");
  if (request.method != "GET") return not_allowed();
  if (request.path != "/secretsmanager/get") return http::TextResponse(404, "Not found");

  std::string error;
  const std::optional<Query> q = ParseQuery(request.query, &error);
  if (!q) return BadParameter(error);
  const AgentSecretCache::Lookup found = cache.Find(*q->secret_id, q->version_id, q->version_stage);
  switch (found.miss) {
    case AgentSecretCache::Miss::kNone:
      return SecretJson(*found.secret);
    case AgentSecretCache::Miss::kUndeclared:
      return AwsError(404, "ResourceNotFoundException",
                      "this pod did not declare that secret (memsecret.io/secret-<name>)");
    case AgentSecretCache::Miss::kNotCached:
      return AwsError(404, "ResourceNotFoundException",
                      "the secret has not been fetched yet; retry after the first refresh");
    case AgentSecretCache::Miss::kNoSuchVersion:
      break;
  }
  return AwsError(404, "ResourceNotFoundException",
                  "the cached version does not match versionId or versionStage");
}

}  // namespace memsecret::injector::agent
