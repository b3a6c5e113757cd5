// AdmissionReview decode + the whole mutation (annotations, refs, policy,
// planner, JSON patch) + response encoding, as the webhook's /mutate handler
// runs it on an untrusted request body.
// Properties: Admit never throws; a 200 answer is an AdmissionReview whose
// patch, when present, is base64 of a JSON array in canonical form (what
// nlohmann_json's dump() prints) and equals the patch Mutate() makes from a
// nlohmann_json DOM of the same request (the one-pass reader and the DOM
// agree, duplicate keys and escapes included); a 400 carries a reason; the
// body is refused as invalid JSON exactly when nlohmann_json refuses it
// (see json_reader_fuzz.cc for the two cases only the reader refuses).
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "memsecret/base64.h"
#include "memsecret/json_reader.h"
#include "webhook/admission/admission_review.h"
#include "webhook/admission/mutator.h"

using memsecret::webhook::Config;

namespace {

// Lets everything through to the planner and the patch builder.
constexpr const char* kNativeConfig = R"(
injector: {nativeSidecar: true, env: [{name: AWS_ENDPOINT_URL, value: "http://127.0.0.1:4566"}]}
vault: {allowedAddrs: ["https://vault.vault.svc:8200", "https://vault.example:8200"]}
oauth: {allowedTokenUrls: ["https://idp.example/oauth/token"]}
policy:
  - namespaces: ["*"]
    allow: ["*"]
)";
constexpr const char* kClassicConfig = R"(
injector: {nativeSidecar: false, defaultRunAsUser: 1000}
policy:
  - namespaces: ["team-*"]
    allow: ["aws:/{namespace}/{serviceAccount}/*", "vault:secret/{namespace}/*"]
)";

const Config& Load(const char* yaml) {
  auto c = memsecret::webhook::ParseConfig(yaml);
  if (!c.ok()) std::abort();
  return *new Config(std::move(c.value()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Config& native = Load(kNativeConfig);
  static const Config& classic = Load(kClassicConfig);
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const bool valid_json = nlohmann::json::accept(body);
  for (const Config* config : {&native, &classic}) {
    auto answer = memsecret::webhook::Admit(body, *config);
    const bool refused_as_json =
        answer.body.rfind("bad AdmissionReview: body is not valid JSON", 0) == 0;
    // Only the reader refuses NUL bytes outside strings (nlohmann_json stops
    // reading there) and nesting deeper than 512.
    const bool reader_stricter =
        answer.body.find("nesting deeper") != std::string::npos || body.find('\0') != body.npos;
    if (refused_as_json == valid_json && !(valid_json && reader_stricter)) std::abort();
    if (answer.http_status == 200) {
      auto review = nlohmann::json::parse(answer.body);  // throws (a finding) if not JSON
      const auto& response = review.at("response");
      if (response.contains("patch")) {
        auto patch = memsecret::Base64Decode(response["patch"].get<std::string>());
        if (!patch || !nlohmann::json::parse(*patch).is_array()) std::abort();
        if (nlohmann::json::parse(*patch).dump() != *patch) std::abort();
        const auto pod = nlohmann::json::parse(body)["request"]["object"];
        if (memsecret::webhook::Mutate(pod, answer.namespace_name, *config).patch != *patch)
          std::abort();
      }
    } else if (answer.http_status != 400 || answer.body.empty()) {
      std::abort();
    }
  }
  return 0;
}
