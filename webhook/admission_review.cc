// AdmissionReview v1 decode/encode around the pure Mutate(). nlohmann_json
// errors stop here: a malformed body is a 400 with a reason, never a crash.
#include "webhook/admission_review.h"

#include <nlohmann/json.hpp>

#include "memsecret/base64.h"
#include "webhook/mutator.h"

namespace memsecret::webhook {

namespace {

using nlohmann::json;

constexpr const char* kApiVersion = "admission.k8s.io/v1";
constexpr const char* kKind = "AdmissionReview";

AdmitAnswer BadRequest(std::string reason) {
  AdmitAnswer a;
  a.http_status = 400;
  a.outcome = AdmitOutcome::kBadRequest;
  a.body = "bad AdmissionReview: " + reason + "\n";
  a.problems.push_back(std::move(reason));
  return a;
}

std::string StringAt(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

json Envelope(json response) { return {{"apiVersion", kApiVersion}, {"kind", kKind}, {"response", std::move(response)}}; }

}  // namespace

const char* AdmitOutcomeName(AdmitOutcome o) {
  switch (o) {
    case AdmitOutcome::kPatched: return "patched";
    case AdmitOutcome::kUnchanged: return "unchanged";
    case AdmitOutcome::kDenied: return "denied";
    case AdmitOutcome::kBadRequest: return "bad_request";
  }
  return "?";
}

AdmitAnswer Admit(std::string_view body, const Config& config) {
  json review = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (review.is_discarded()) return BadRequest("body is not valid JSON");
  if (!review.is_object()) return BadRequest("body is not a JSON object");
  if (StringAt(review, "apiVersion") != kApiVersion || StringAt(review, "kind") != kKind)
    return BadRequest("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview");
  auto req_it = review.find("request");
  if (req_it == review.end() || !req_it->is_object()) return BadRequest("missing request");
  const json& req = *req_it;
  AdmitAnswer a;
  a.uid = StringAt(req, "uid");
  if (a.uid.empty()) return BadRequest("request.uid is missing");
  a.namespace_name = StringAt(req, "namespace");

  json response = {{"uid", a.uid}, {"allowed", true}};
  auto unchanged = [&](const std::string& reason) {
    a.outcome = AdmitOutcome::kUnchanged;
    response["auditAnnotations"] = {{"memsecret", "unchanged: " + reason}};
    a.body = Envelope(response).dump();
    return a;
  };

  const json* kind = req.contains("kind") && req["kind"].is_object() ? &req["kind"] : nullptr;
  bool is_pod = kind && StringAt(*kind, "kind") == "Pod" && StringAt(*kind, "group").empty();
  if (!is_pod) return unchanged("not a core/v1 Pod");
  if (!StringAt(req, "subResource").empty()) return unchanged("subresource request");
  if (StringAt(req, "operation") != "CREATE") return unchanged("not a CREATE");
  auto obj = req.find("object");
  if (obj == req.end() || !obj->is_object()) return BadRequest("request.object is missing or not an object");
  if (a.namespace_name.empty() && obj->contains("metadata") && (*obj)["metadata"].is_object())
    a.namespace_name = StringAt((*obj)["metadata"], "namespace");
  if (a.namespace_name.empty()) return BadRequest("request.namespace is missing");

  // dryRun requests get exactly the same answer: the webhook has no side effects.
  MutationResult m = Mutate(*obj, a.namespace_name, config);
  if (!m.warnings.empty()) response["warnings"] = m.warnings;
  switch (m.kind) {
    case MutationResult::Kind::kUnchanged:
      return unchanged(m.reason);
    case MutationResult::Kind::kDenied: {
      a.outcome = AdmitOutcome::kDenied;
      for (const auto& p : m.problems) a.problems.push_back(p.message);
      response["allowed"] = false;
      response["status"] = {{"metadata", json::object()},
                            {"status", "Failure"},
                            {"code", m.status_code},
                            {"reason", m.status_code == 403 ? "Forbidden" : "BadRequest"},
                            {"message", m.DenialMessage()}};
      break;
    }
    case MutationResult::Kind::kPatched:
      a.outcome = AdmitOutcome::kPatched;
      a.files = m.files;
      response["patchType"] = "JSONPatch";
      response["patch"] = Base64Encode(m.patch.dump());
      response["auditAnnotations"] = {{"memsecret", "injected " + std::to_string(m.files) + " file(s)"}};
      break;
  }
  a.body = Envelope(std::move(response)).dump();
  return a;
}

}  // namespace memsecret::webhook
