#include "injector/agent/agent_request.h"

#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include "injector/agent/agent_token.h"
#include "injector/base/percent_encoding.h"
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

// Parses the query of /secretsmanager/get (`path_id` unset) or of /v1/<id>
// (`path_id` set: secretId is not a parameter there, as with the Agent);
// nullopt with `*error` set when it is malformed.
std::optional<Query> ParseQuery(std::string_view q, std::optional<std::string> path_id,
                                std::string* error) {
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
    if (*key == "secretId" && !path_id) slot = &out.secret_id;
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
  const bool from_path = path_id.has_value();
  if (from_path) out.secret_id = std::move(path_id);
  if (!out.secret_id || out.secret_id->empty()) {
    *error = from_path ? "missing secret ID" : "missing parameter secretId";
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

AgentRequest ParseAgentRequest(const http::HttpRequestView& request, const SecretValue& token) {
  auto answer = [](HttpResponse r) { return AgentRequest{std::move(r), {}}; };
  auto not_allowed = [&] {
    HttpResponse r = http::TextResponse(405, "Not allowed");
    r.allow = "GET";
    return answer(std::move(r));
  };
  if (request.path == "/ping")  // the Agent's health check: no token
    return request.method == "GET" ? answer(http::TextResponse(200, "healthy")) : not_allowed();
  if (!http::HeaderValues(request.headers, "X-Forwarded-For").empty())
    return answer(http::TextResponse(400, "Forwarded"));
  // Missing or wrong: the same 403, as the Agent (which looks for a header
  // equal to the token, and finds none either way).
  const auto presented = http::HeaderValues(request.headers, kAgentTokenHeader);
  if (presented.size() != 1 || !AgentTokenMatches(presented[0], token))
    return answer(http::TextResponse(403, "Bad Token"));
  if (request.method != "GET") return not_allowed();

  std::optional<std::string> path_id;
  if (request.path.substr(0, std::string_view(kAgentPathPrefix).size()) == kAgentPathPrefix) {
    // The rest of the path is the id ('/' included, %-decoded; '+' is a
    // character of secret names here, not a space).
    path_id = PercentDecode(request.path.substr(std::string_view(kAgentPathPrefix).size()), false);
    if (!path_id) return answer(BadParameter("malformed percent-encoding in the path"));
  } else if (request.path != "/secretsmanager/get") {
    return answer(http::TextResponse(404, "Not found"));
  }
  std::string error;
  std::optional<Query> q = ParseQuery(request.query, std::move(path_id), &error);
  if (!q) return answer(BadParameter(error));
  AgentQuery out;
  out.secret_id = std::move(*q->secret_id);
  out.version_id = std::move(q->version_id);
  out.version_stage = std::move(q->version_stage);
  if (q->refresh_now) {  // validated: true, false, 1 or 0 in any case
    const char first =
        static_cast<char>(std::tolower(static_cast<unsigned char>((*q->refresh_now)[0])));
    out.refresh_now = first == 't' || first == '1';
  }
  return AgentRequest{std::nullopt, std::move(out)};
}

bool NeedsFetch(const AgentQuery& query, const AgentSecretCache::Lookup& cached) {
  return query.refresh_now || cached.miss != AgentSecretCache::Miss::kNone || cached.stale;
}

HttpResponse AnswerSecret(const CachedSecret& s) {
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

HttpResponse AnswerFetchFailure(const Status& status) {
  switch (status.code()) {
    case Code::kNotFound:
      return AwsError(404, "ResourceNotFoundException",
                      "Secrets Manager can't find the specified secret or version");
    case Code::kPermissionDenied:
      return AwsError(400, "AccessDeniedException",
                      "the injector's identity may not read this secret");
    case Code::kFailedPrecondition:
      return AwsError(400, "InvalidRequestException",
                      "the secret is marked for deletion or cannot be decrypted");
    case Code::kResourceExhausted:
      return AwsError(400, "ThrottlingException", "rate exceeded; retry later");
    case Code::kDeadlineExceeded:
      return AwsError(504, "TimeoutError", "Timeout");
    case Code::kUnavailable:
      return AwsError(502, "ConnectionError", "the secret store could not be reached");
    default:
      return AwsError(500, "InternalFailure", "");
  }
}

HttpResponse AnswerAgentRequest(const http::HttpRequestView& request, const SecretValue& token,
                                const AgentSecretCache& cache, OnDemandFetch& fetch) {
  const AgentRequest parsed = ParseAgentRequest(request, token);
  if (parsed.answer) return *parsed.answer;
  const AgentQuery& q = parsed.query;
  const std::optional<SecretRef> ref = cache.Resolve(q.secret_id);
  if (!ref)
    return AwsError(404, "ResourceNotFoundException",
                    "this pod did not declare that secret (memsecret.io/secret-<name>)");
  const AgentSecretCache::Lookup cached = cache.Find(q.secret_id, q.version_id, q.version_stage);
  if (!NeedsFetch(q, cached)) return AnswerSecret(*cached.secret);

  const FetchResult r = fetch.Fetch(*ref, FetchOptions{q.version_stage, q.version_id});
  if (r.ok()) return AnswerSecret(ToCachedSecret(*r.secret, WallTime()));
  if (r.status.retryable()) {  // an outage: what is still young enough is served
    const AgentSecretCache::Lookup kept = cache.Find(q.secret_id, q.version_id, q.version_stage);
    if (kept.miss == AgentSecretCache::Miss::kNone) return AnswerSecret(*kept.secret);
  }
  return AnswerFetchFailure(r.status);
}

}  // namespace memsecret::injector::agent
