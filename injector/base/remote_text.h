// Text a remote server sent (error codes, messages, descriptions) made safe to
// put into a Status message, a log line or an audit record. Every backend
// (AWS, Vault, Azure, the OAuth issuers) uses this one function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace memsecret::injector {

// Keeps printable ASCII; every other byte (control characters such as line
// breaks, DEL, non-ASCII) becomes a space, so a server cannot forge log lines
// or emit invalid UTF-8. At most `max` bytes are kept; "..." marks a cut.
std::string CleanRemoteText(std::string_view text, size_t max = 200);

}  // namespace memsecret::injector
