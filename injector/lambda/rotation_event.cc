#include "injector/lambda/rotation_event.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "memsecret/json_reader.h"

namespace memsecret::injector::lambda {
namespace {

constexpr std::array<std::pair<RotationStep, const char*>, 4> kSteps{{
    {RotationStep::kCreateSecret, "createSecret"},
    {RotationStep::kSetSecret, "setSecret"},
    {RotationStep::kTestSecret, "testSecret"},
    {RotationStep::kFinishSecret, "finishSecret"},
}};

constexpr size_t kMaxSecretIdBytes = 2048;

bool IsVersionId(std::string_view s) {
  return s.size() >= 32 && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-';
         });
}

Status Bad(const std::string& what) { return InvalidArgument("rotation event: " + what); }

}  // namespace

const char* StepName(RotationStep step) {
  for (const auto& [s, name] : kSteps)
    if (s == step) return name;
  return "unknown";
}

Result<RotationEvent> ParseRotationEvent(std::string_view payload) {
  webhook::JsonReader r(payload);
  if (r.Peek() != webhook::JsonReader::Type::kObject) return Bad("not a JSON object");
  std::optional<std::string> secret_id, token, step;
  std::string_view key;
  r.EnterObject();
  while (r.NextKey(&key)) {
    std::optional<std::string>* slot = key == "SecretId"             ? &secret_id
                                       : key == "ClientRequestToken" ? &token
                                       : key == "Step"               ? &step
                                                                     : nullptr;
    if (slot == nullptr) {
      r.Skip();
      continue;
    }
    const std::string name(key);
    std::string value;
    if (!r.ReadString(&value)) {
      if (!r.ok()) break;
      return Bad(name + " is not a string");
    }
    *slot = std::move(value);  // a repeated member: the last one wins
  }
  if (!r.Finish()) return Bad("not valid JSON (" + r.error() + ")");
  if (!secret_id) return Bad("SecretId is missing");
  if (secret_id->empty() || secret_id->size() > kMaxSecretIdBytes)
    return Bad("SecretId must be 1-2048 bytes");
  if (!token) return Bad("ClientRequestToken is missing");
  if (!IsVersionId(*token))
    return Bad("ClientRequestToken must be 32-64 characters of [A-Za-z0-9-]");
  if (!step) return Bad("Step is missing");
  for (const auto& [s, name] : kSteps)
    if (*step == name) return RotationEvent{std::move(*secret_id), std::move(*token), s};
  return Bad("Step must be createSecret, setSecret, testSecret or finishSecret");
}

}  // namespace memsecret::injector::lambda
