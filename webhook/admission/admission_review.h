// AdmissionReview v1 codec and the pure admission decision (no I/O).
// Admit() turns a request body into the HTTP status and response body the
// server sends, plus the facts the edges record (metrics, logs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "webhook/config/config.h"

namespace memsecret::webhook {

enum class AdmitOutcome {
  kPatched,     // allowed with a JSON patch (pod injected)
  kUnchanged,   // allowed without a patch (not opted in, already injected, not a pod CREATE)
  kDenied,      // allowed=false with a status naming every problem
  kBadRequest,  // malformed AdmissionReview: HTTP 400
};

const char* AdmitOutcomeName(AdmitOutcome o);  // "patched", "unchanged", "denied", "bad_request"

struct AdmitAnswer {
  int http_status = 200;
  std::string body;  // AdmissionReview JSON, or a plain-text reason for 400
  AdmitOutcome outcome = AdmitOutcome::kUnchanged;
  std::string uid;                    // request uid when decodable
  std::string namespace_name;         // request namespace when decodable
  std::vector<std::string> problems;  // denial reasons (never secret values)
  size_t files = 0;                   // files planned when patched
};

// Decodes an AdmissionReview v1 body, mutates the pod with `config` and
// encodes the response. Never throws; malformed bodies get http_status 400.
AdmitAnswer Admit(std::string_view body, const Config& config);

// The check entry (POST /check): decodes the same way, reads only the pod's
// metadata and answers with CheckOptIn (opt_in_check.h): allowed with no
// patch (kUnchanged), or denied naming the fix (kDenied). Needs no config.
// Never throws; malformed bodies get http_status 400.
AdmitAnswer CheckAdmission(std::string_view body);

}  // namespace memsecret::webhook
