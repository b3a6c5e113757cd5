// GitHub Actions' environment file and log masking, for `export --github-env`.
// Pure formatting; the caller appends the text to $GITHUB_ENV and prints the
// masks to stdout (GitHub reads "::add-mask::" commands from a step's stdout).
//   MaskCommands    "::add-mask::<line>\n" for every non-empty line of the
//                   value (a multi-line value is masked line by line);
//   GithubEnvEntry  "<VAR><<<DELIM>\n<value>\n<DELIM>\n", the multi-line form,
//                   with a delimiter that occurs nowhere in the value.
// Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret::injector::pipeline {

std::string MaskCommands(std::string_view value);

// Returns random bytes as lowercase hex (a delimiter candidate); injected so
// tests can force a collision with the value.
using DelimiterSource = std::function<std::string()>;
DelimiterSource RandomDelimiters();  // "ghadelimiter_" + 32 hex chars from OpenSSL RAND_bytes

// kInvalidArgument when VAR is not a shell name, or no delimiter absent from
// the value was found in 8 attempts (never with a random source in practice).
Result<std::string> GithubEnvEntry(std::string_view var, std::string_view value,
                                   const DelimiterSource& delimiters);

}  // namespace memsecret::injector::pipeline
