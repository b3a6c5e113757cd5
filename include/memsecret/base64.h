// Standard base64 (RFC 4648 §4, with padding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memsecret {

std::string Base64Encode(std::string_view data);
// nullopt on characters outside the alphabet or bad padding. Whitespace is
// not accepted.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace memsecret
