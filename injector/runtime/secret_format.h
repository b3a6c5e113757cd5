// Render: a fetched secret value -> the bytes of its output file, by the
// plan's `#field` selector and format (docs/annotations.md). Pure; errors name the
// field or key, never the value.
//
//  field  `#f` needs a JSON object value with key f (missing -> kNotFound,
//         never an empty file); a string field yields its text, any other
//         JSON type its compact JSON.
//  raw    the (selected) bytes unchanged.
//  json   a JSON document: the value itself when it is valid JSON, else the
//         value as a JSON string; with a field, the field's JSON.
//  env    dotenv lines `KEY='value'\n`, single-quoted so `source`/`.` reads any
//         byte back exactly (a `'` becomes '\''); NUL cannot be represented
//         and is an error. An object yields one line per key (keys must be
//         shell names [A-Za-z_][A-Za-z0-9_]*; non-string values as JSON); a
//         scalar yields one line named after the field, else the file name
//         (upper-cased, other characters -> '_'). A non-empty `env_var` (the
//         file's env-var-<name>) names that one line instead; an object value
//         is then an error (select one field with #field).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "injector/base/secret_value.h"
#include "memsecret/plan/injection_plan.h"
#include "memsecret/status.h"

namespace memsecret::injector {

Result<SecretValue> FormatSecret(const SecretValue& value, const std::optional<std::string>& field,
                                 OutputFormat format, std::string_view file_name,
                                 std::string_view env_var = {});

// POSIX-shell single quoting of arbitrary bytes (NUL excluded by callers).
std::string ShellSingleQuote(std::string_view bytes);

}  // namespace memsecret::injector
