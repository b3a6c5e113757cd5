// The Azure Key Vault backend's spec part (memsecret/backend.h), linked into
// both binaries: the `azure:` ref syntax, the webhook config's `azure:`
// section and the plan's `azure` settings. Pure.
#pragma once

#include <string>

#include "memsecret/backend.h"

namespace memsecret {

inline constexpr const char* kAzureBackend = "azure";

// The plan's `azure` member.
struct AzureSettings {
  std::string federated_token_file;  // projected SA token (api://AzureADTokenExchange)

  void Encode(JsonWriter& w) const;
  bool operator==(const AzureSettings&) const = default;
};

// The webhook config's `azure:` section (docs/configuration.md).
struct AzureSection {
  std::string token_audience = "api://AzureADTokenExchange";
};

const Backend& AzureBackend();

}  // namespace memsecret
