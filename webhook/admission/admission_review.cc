// AdmissionReview v1 decode/encode around the pure Mutate(). The request is
// read in one pass with JsonReader (only the fields the decision needs are
// kept; the rest, oldObject and managedFields included, is validated and
// skipped) and the response is written with JsonWriter: no JSON DOM on the
// hot path. A malformed body is a 400 with a reason, never a crash.
#include "webhook/admission/admission_review.h"

#include "memsecret/base64.h"
#include "memsecret/json_reader.h"
#include "memsecret/json_writer.h"
#include "webhook/admission/mutator.h"
#include "webhook/admission/opt_in_check.h"
#include "webhook/admission/pod_facts.h"

namespace memsecret::webhook {

namespace {

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

// The parts of request the decision reads.
struct Request {
  std::string uid, namespace_name, operation, sub_resource;
  JsonShape kind = JsonShape::kAbsent;
  std::string kind_group, kind_kind;
  JsonShape object = JsonShape::kAbsent;
  PodFacts pod;
};

// The parts of an AdmissionReview the decision reads.
struct Review {
  std::string api_version, kind;
  JsonShape request_shape = JsonShape::kAbsent;
  Request request;
};

// Duplicate keys: the last one wins, as in nlohmann_json's DOM.
Request ReadRequest(JsonReader& r, PodFactsScope scope, JsonShape* shape) {
  Request q;
  *shape = ForEachMember(r, [&](std::string_view key) {
    if (key == "uid") {
      q.uid = ReadStringOrEmpty(r);
    } else if (key == "namespace") {
      q.namespace_name = ReadStringOrEmpty(r);
    } else if (key == "operation") {
      q.operation = ReadStringOrEmpty(r);
    } else if (key == "subResource") {
      q.sub_resource = ReadStringOrEmpty(r);
    } else if (key == "kind") {
      q.kind_group.clear();
      q.kind_kind.clear();
      q.kind = ForEachMember(r, [&](std::string_view k) {
        if (k == "group")
          q.kind_group = ReadStringOrEmpty(r);
        else if (k == "kind")
          q.kind_kind = ReadStringOrEmpty(r);
        else
          r.Skip();
      });
    } else if (key == "object") {
      q.object = ShapeOf(r.Peek());
      q.pod = ReadPodFacts(r, scope);
    } else {
      r.Skip();
    }
  });
  return q;
}

// Reads the whole body; false (with `error`) unless it is valid JSON.
bool ReadReview(std::string_view body, PodFactsScope scope, Review* review, JsonShape* top,
                std::string* error) {
  JsonReader r(body);
  *top = ForEachMember(r, [&](std::string_view key) {
    if (key == "apiVersion")
      review->api_version = ReadStringOrEmpty(r);
    else if (key == "kind")
      review->kind = ReadStringOrEmpty(r);
    else if (key == "request")
      review->request = ReadRequest(r, scope, &review->request_shape);
    else
      r.Skip();
  });
  if (r.Finish()) return true;
  *error = r.error();
  return false;
}

// {"apiVersion":...,"kind":...,"response":{<members>}}; members() writes the
// response's members in sorted key order (allowed, auditAnnotations, patch,
// patchType, status, uid, warnings).
template <typename Fn>
std::string Envelope(Fn&& members) {
  std::string out;
  out.reserve(512);
  JsonWriter w(&out);
  w.BeginObject()
      .Member("apiVersion", kApiVersion)
      .Member("kind", kKind)
      .Key("response")
      .BeginObject();
  members(w);
  w.EndObject().EndObject();
  return out;
}

void WriteAudit(JsonWriter& w, const std::string& text) {
  w.Key("auditAnnotations").BeginObject().Member("memsecret", text).EndObject();
}

void WriteWarnings(JsonWriter& w, const std::vector<std::string>& warnings) {
  if (warnings.empty()) return;
  w.Key("warnings").BeginArray();
  for (const auto& warning : warnings) w.String(warning);
  w.EndArray();
}

}  // namespace

const char* AdmitOutcomeName(AdmitOutcome o) {
  switch (o) {
    case AdmitOutcome::kPatched:
      return "patched";
    case AdmitOutcome::kUnchanged:
      return "unchanged";
    case AdmitOutcome::kDenied:
      return "denied";
    case AdmitOutcome::kBadRequest:
      return "bad_request";
  }
  return "?";
}

namespace {

// Allowed without a patch.
AdmitAnswer Unchanged(AdmitAnswer a, const std::string& reason,
                      const std::vector<std::string>& warnings = {}) {
  a.outcome = AdmitOutcome::kUnchanged;
  a.body = Envelope([&](JsonWriter& w) {
    w.Member("allowed", true);
    WriteAudit(w, "unchanged: " + reason);
    w.Member("uid", a.uid);
    WriteWarnings(w, warnings);
  });
  return a;
}

// The answer for a decided pod CREATE.
AdmitAnswer Answer(AdmitAnswer a, const MutationResult& m) {
  switch (m.kind) {
    case MutationResult::Kind::kUnchanged:
      return Unchanged(std::move(a), m.reason, m.warnings);
    case MutationResult::Kind::kDenied:
      a.outcome = AdmitOutcome::kDenied;
      for (const auto& p : m.problems) a.problems.push_back(p.message);
      a.body = Envelope([&](JsonWriter& w) {
        w.Member("allowed", false);
        w.Key("status").BeginObject();
        w.Member("code", m.status_code).Member("message", m.DenialMessage());
        w.Key("metadata").BeginObject().EndObject();
        w.Member("reason", m.status_code == 403 ? "Forbidden" : "BadRequest")
            .Member("status", "Failure");
        w.EndObject();
        w.Member("uid", a.uid);
        WriteWarnings(w, m.warnings);
      });
      return a;
    case MutationResult::Kind::kPatched:
      a.outcome = AdmitOutcome::kPatched;
      a.files = m.files;
      a.body = Envelope([&](JsonWriter& w) {
        w.Member("allowed", true);
        WriteAudit(w, "injected " + std::to_string(m.files) + " file(s)");
        w.Member("patch", Base64Encode(m.patch)).Member("patchType", "JSONPatch");
        w.Member("uid", a.uid);
        WriteWarnings(w, m.warnings);
      });
      return a;
  }
  return a;
}

// Decodes `body` and runs `decide(pod, namespace)` -> MutationResult on a pod
// CREATE; every other request is answered here (400, or unchanged).
template <typename Decide>
AdmitAnswer ReviewPod(std::string_view body, PodFactsScope scope, Decide&& decide) {
  Review review;
  JsonShape top;
  std::string error;
  if (!ReadReview(body, scope, &review, &top, &error))
    return BadRequest("body is not valid JSON: " + error);
  if (top != JsonShape::kObject) return BadRequest("body is not a JSON object");
  if (review.api_version != kApiVersion || review.kind != kKind)
    return BadRequest("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview");
  if (review.request_shape != JsonShape::kObject) return BadRequest("missing request");
  AdmitAnswer a;
  a.uid = review.request.uid;
  if (a.uid.empty()) return BadRequest("request.uid is missing");
  a.namespace_name = review.request.namespace_name;

  const Request& q = review.request;
  const bool is_pod = q.kind == JsonShape::kObject && q.kind_kind == "Pod" && q.kind_group.empty();
  if (!is_pod) return Unchanged(std::move(a), "not a core/v1 Pod");
  if (!q.sub_resource.empty()) return Unchanged(std::move(a), "subresource request");
  if (q.operation != "CREATE") return Unchanged(std::move(a), "not a CREATE");
  if (q.object != JsonShape::kObject)
    return BadRequest("request.object is missing or not an object");
  if (a.namespace_name.empty()) a.namespace_name = q.pod.metadata_namespace;
  if (a.namespace_name.empty()) return BadRequest("request.namespace is missing");
  // dryRun requests get exactly the same answer: the webhook has no side effects.
  MutationResult m = decide(q.pod, a.namespace_name);
  return Answer(std::move(a), m);
}

}  // namespace

AdmitAnswer Admit(std::string_view body, const Config& config) {
  return ReviewPod(body, PodFactsScope::kAll, [&](const PodFacts& pod, const std::string& ns) {
    return Mutate(pod, ns, config);
  });
}

AdmitAnswer CheckAdmission(std::string_view body) {
  return ReviewPod(body, PodFactsScope::kMetadata, [](const PodFacts& pod, const std::string&) {
    MutationResult m;
    m.problems = CheckOptIn(pod.labels.values, pod.annotations.values);
    if (m.problems.empty()) {
      m.reason = "opt-in check passed";
      return m;
    }
    m.kind = MutationResult::Kind::kDenied;
    m.status_code = 400;
    return m;
  });
}

}  // namespace memsecret::webhook
