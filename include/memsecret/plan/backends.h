// The backends' table: one row per secret store backend's spec part
// (memsecret/backend.h; each in its own folder, injector/providers/<name>/),
// and what reads it: ParseSecretRef, the annotation keys, the plan codec and
// the planners know no backend beyond these rows. Pure. Thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "memsecret/backend.h"
#include "memsecret/secret_ref.h"
#include "memsecret/status.h"

namespace memsecret {

// Every backend, in the order documentation and messages list them.
const std::vector<const Backend*>& Backends();

// The backend named `name` ("vault"), or null.
const Backend* FindBackend(std::string_view name);

// Parses and validates a reference against its backend's row. Errors name
// the ref and the problem, e.g.
// "ref \"gcp:x\": unknown provider \"gcp\" (expected aws, vault or azure)".
Result<SecretRef> ParseSecretRef(std::string_view text);

}  // namespace memsecret
