// Standard base64 (RFC 4648 §4, with padding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memsecret {

std::string Base64Encode(std::string_view data);
enum class Base64Padding { kRequired, kOptional };

// nullopt on characters outside the alphabet or bad padding (with kOptional
// the trailing '=' may be left out). Whitespace is not accepted. The result
// may be secret material: callers own wiping it.
std::optional<std::string> Base64Decode(std::string_view text,
                                        Base64Padding padding = Base64Padding::kRequired);

}  // namespace memsecret
