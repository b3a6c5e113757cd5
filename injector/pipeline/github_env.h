// GitHub Actions' environment file and log masking, for `export --github-env`.
// Pure formatting; the caller appends the text to $GITHUB_ENV and prints the
// masks to stdout (GitHub reads "::add-mask::" commands from a step's stdout).
// The runner reads that output line by line, and a line ends at "\n", "\r\n"
// or a bare "\r"; it unescapes "%25", "%0D" and "%0A" in a command's data.
//   EscapeCommandData  the Actions toolkit's escapeData: "%" -> "%25",
//                      "\r" -> "%0D", "\n" -> "%0A";
//   MaskCommands       "::add-mask::<escaped line>\n" for every line of the
//                      value, split at "\n" and "\r" (what the runner calls a
//                      line), so no value can end a mask early, stop command
//                      processing or issue a command; lines of only white
//                      space are skipped (the runner refuses to mask them);
//   GithubEnvEntry     "<VAR><<<DELIM>\n<value>\n<DELIM>\n", the multi-line
//                      form, with a delimiter that occurs nowhere in the value;
//   GithubEnvPrefix    "\n" when the file's last byte is not a newline (an
//                      unterminated "FOO=bar" would swallow the next header).
// Thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret::injector::pipeline {

std::string EscapeCommandData(std::string_view data);

std::string MaskCommands(std::string_view value);

// `last_byte` is the file's last byte, nullopt for an empty or new file.
std::string GithubEnvPrefix(std::optional<char> last_byte);

// Returns random bytes as lowercase hex (a delimiter candidate); injected so
// tests can force a collision with the value.
using DelimiterSource = std::function<std::string()>;
DelimiterSource RandomDelimiters();  // "ghadelimiter_" + 32 hex chars from OpenSSL RAND_bytes

// kInvalidArgument when VAR is not a shell name, or no delimiter absent from
// the value was found in 8 attempts (never with a random source in practice).
Result<std::string> GithubEnvEntry(std::string_view var, std::string_view value,
                                   const DelimiterSource& delimiters);

}  // namespace memsecret::injector::pipeline
