#include "memsecret/plan/backends.h"

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/ref_syntax.h"

namespace memsecret {

// The one list of backends: a new backend is a folder and a row here (and one
// in the injector's table, injector/providers/backend_table.cc).
const std::vector<const Backend*>& Backends() {
  static const std::vector<const Backend*> rows = {&AwsBackend(), &VaultBackend(), &AzureBackend()};
  return rows;
}

const Backend* FindBackend(std::string_view name) {
  for (const Backend* b : Backends())
    if (name == b->name) return b;
  return nullptr;
}

namespace {

// "a, b or c"
std::string Alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

Status CheckQuery(const Backend& backend, std::string_view key, std::string_view value) {
  for (const Backend::QueryKey& q : backend.query)
    if (key == q.name) return q.check(value);
  std::vector<std::string> names;
  for (const Backend::QueryKey& q : backend.query) names.push_back(q.name);
  return InvalidArgument("unknown query key \"" + std::string(key) + "\" for " + backend.name +
                         " (expected " + Alternatives(names) + ")");
}

}  // namespace

Result<SecretRef> ParseSecretRef(std::string_view text) {
  auto fail = [&](const Status& s) {
    return Status(s.code(), "ref \"" + std::string(text) + "\": " + s.message());
  };
  if (text.size() > 4096) return InvalidArgument("ref is longer than 4096 characters");
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return fail(InvalidArgument("contains a control character"));
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return fail(InvalidArgument("missing provider (expected <provider>:<path>)"));
  SecretRef ref;
  std::string_view provider = text.substr(0, colon);
  const Backend* backend = FindBackend(provider);
  if (backend == nullptr) {
    std::vector<std::string> names;
    for (const Backend* b : Backends()) names.push_back(b->name);
    return fail(InvalidArgument("unknown provider \"" + std::string(provider) + "\" (expected " +
                                Alternatives(names) + ")"));
  }
  ref.provider = backend->name;

  std::string_view rest = text.substr(colon + 1);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    std::string_view field = rest.substr(hash + 1);
    if (field.empty() || field.size() > 256)
      return fail(InvalidArgument("field after '#' must be 1-256 characters"));
    ref.field = std::string(field);
    rest = rest.substr(0, hash);
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (query.empty()) return fail(InvalidArgument("empty query after '?'"));
  }
  ref.path = std::string(rest);
  if (Status st = backend->check_path(rest); !st.ok()) return fail(st);
  if (!query.empty()) {
    for (auto pair : SplitOn(query, '&')) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return fail(InvalidArgument("query must be key=value pairs joined by '&'"));
      std::string key(pair.substr(0, eq)), value(pair.substr(eq + 1));
      if (ref.Query(key)) return fail(InvalidArgument("query key \"" + key + "\" given twice"));
      if (Status qs = CheckQuery(*backend, key, value); !qs.ok()) return fail(qs);
      ref.query.emplace_back(std::move(key), std::move(value));
    }
  }
  if (backend->check_ref != nullptr)
    if (Status cs = backend->check_ref(ref); !cs.ok()) return fail(cs);
  return ref;
}

}  // namespace memsecret
