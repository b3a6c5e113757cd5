#include "memsecret/secret_ref.h"

#include <algorithm>
#include <cctype>

namespace memsecret {

namespace {

bool AllOf(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status CheckAwsPath(std::string_view path) {
  if (path.empty() || path.size() > 2048)
    return InvalidArgument("secret name or ARN must be 1-2048 characters");
  if (path.starts_with("arn:")) {
    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
    auto parts = Split(path, ':');
    // The name part obeys the same character set as a plain name.
    if (parts.size() != 7 || parts[2] != "secretsmanager" || parts[5] != "secret" ||
        !IsDigits(parts[4]) || parts[4].size() != 12 || parts[3].empty() || !AllOf(parts[1], "-") ||
        !AllOf(parts[3], "-") || parts[6].empty() || !AllOf(parts[6], "/_+=.@-")) {
      return InvalidArgument(
          "malformed Secrets Manager ARN (expected "
          "arn:aws:secretsmanager:<region>:<account>:secret:<name>)");
    }
    return Status::Ok();
  }
  if (!AllOf(path, "/_+=.@-"))
    return InvalidArgument("secret name may only contain letters, digits and /_+=.@-");
  return Status::Ok();
}

Status CheckVaultPath(std::string_view path) {
  auto segs = Split(path, '/');
  if (segs.size() < 2) return InvalidArgument("vault path must be <mount>/<path>");
  for (auto seg : segs) {
    if (seg.empty() || seg == "." || seg == "..")
      return InvalidArgument("vault path has an empty, '.' or '..' segment");
    if (!AllOf(seg, "._-@+="))
      return InvalidArgument("vault path may only contain letters, digits, '/' and ._-@+=");
  }
  return Status::Ok();
}

Status CheckAzurePath(std::string_view path) {
  auto segs = Split(path, '/');
  if (segs.size() != 2) return InvalidArgument("azure ref must be <vault-name>/<secret-name>");
  auto vault = segs[0], name = segs[1];
  if (vault.size() < 3 || vault.size() > 24 || !AllOf(vault, "-") ||
      !std::isalpha(static_cast<unsigned char>(vault[0])))
    return InvalidArgument(
        "key vault name must be 3-24 letters, digits or '-', starting with a letter");
  if (name.empty() || name.size() > 127 || !AllOf(name, "-"))
    return InvalidArgument("key vault secret name must be 1-127 letters, digits or '-'");
  return Status::Ok();
}

Status CheckAwsStage(std::string_view value) {
  if (value.empty() || value.size() > 256 || !AllOf(value, "_-"))
    return InvalidArgument("stage must be 1-256 letters, digits, '_' or '-'");
  return Status::Ok();
}

Status CheckAwsVersion(std::string_view value) {
  if (value.size() < 32 || value.size() > 64 || !AllOf(value, "-"))
    return InvalidArgument("version must be a 32-64 character version id");
  return Status::Ok();
}

Status CheckVaultKv(std::string_view value) {
  if (value != "1" && value != "2") return InvalidArgument("kv must be 1 or 2");
  return Status::Ok();
}

Status CheckVaultVersion(std::string_view value) {
  if (!IsDigits(value) || value.size() > 9 || value == "0")
    return InvalidArgument("version must be a positive integer");
  return Status::Ok();
}

// A mount whose name has '/': vault:team-a/kv/app?mount=team-a/kv
Status CheckVaultMount(std::string_view value) {
  for (auto seg : Split(value, '/')) {
    if (seg.empty() || seg == "." || seg == ".." || !AllOf(seg, "._-@+="))
      return InvalidArgument("mount must be '/'-separated segments of letters, digits and ._-@+=");
  }
  return Status::Ok();
}

Status CheckAzureVersion(std::string_view value) {
  if (value.empty() || value.size() > 64 || !AllOf(value, ""))
    return InvalidArgument("version must be 1-64 letters or digits");
  return Status::Ok();
}

// Checks across a Vault ref's parts once all are read.
Status CheckVaultRef(const SecretRef& ref) {
  if (auto mount = ref.Query("mount");
      mount && !(ref.path.size() > mount->size() + 1 && ref.path.starts_with(*mount + "/")))
    return InvalidArgument("mount \"" + *mount +
                           "\" must be a leading part of the path followed by the secret's path");
  if (ref.Query("kv") == "1" && ref.Query("version"))
    return InvalidArgument("version is only supported by KV v2 (drop kv=1)");
  return Status::Ok();
}

struct QueryKey {
  const char* name;
  Status (*check)(std::string_view value);
};

// One row per backend: its prefix, path syntax, query keys and the checks
// across them. The parser knows no backend beyond these rows.
struct RefSyntax {
  Provider provider;
  const char* name;
  Status (*check_path)(std::string_view path);
  std::vector<QueryKey> query;
  Status (*check_ref)(const SecretRef& ref);  // may be null
};

const std::vector<RefSyntax>& Syntaxes() {
  static const std::vector<RefSyntax> rows = {
      {Provider::kAws,
       "aws",
       CheckAwsPath,
       {{"stage", CheckAwsStage}, {"version", CheckAwsVersion}},
       nullptr},
      {Provider::kVault,
       "vault",
       CheckVaultPath,
       {{"kv", CheckVaultKv}, {"version", CheckVaultVersion}, {"mount", CheckVaultMount}},
       CheckVaultRef},
      {Provider::kAzure, "azure", CheckAzurePath, {{"version", CheckAzureVersion}}, nullptr},
  };
  return rows;
}

const RefSyntax& SyntaxOf(Provider p) {
  for (const RefSyntax& row : Syntaxes())
    if (row.provider == p) return row;
  return Syntaxes().front();  // every Provider has a row
}

// "a, b or c"
std::string Alternatives(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

Status CheckQuery(const RefSyntax& syntax, std::string_view key, std::string_view value) {
  std::vector<std::string> names;
  for (const QueryKey& q : syntax.query) {
    if (key == q.name) return q.check(value);
    names.push_back(q.name);
  }
  return InvalidArgument("unknown query key \"" + std::string(key) + "\" for " + syntax.name +
                         " (expected " + Alternatives(names) + ")");
}

}  // namespace

const char* ProviderName(Provider p) { return SyntaxOf(p).name; }

std::optional<std::string> SecretRef::Query(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

std::string SecretRef::PolicyKey() const {
  return std::string(ProviderName(provider)) + ":" + path;
}

std::string SecretRef::ToString() const {
  std::string out = PolicyKey();
  for (size_t i = 0; i < query.size(); ++i)
    out += (i == 0 ? "?" : "&") + query[i].first + "=" + query[i].second;
  if (field) out += "#" + *field;
  return out;
}

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
  const RefSyntax* syntax = nullptr;
  std::vector<std::string> names;
  for (const RefSyntax& row : Syntaxes()) {
    if (provider == row.name) syntax = &row;
    names.push_back(row.name);
  }
  if (syntax == nullptr)
    return fail(InvalidArgument("unknown provider \"" + std::string(provider) + "\" (expected " +
                                Alternatives(names) + ")"));
  ref.provider = syntax->provider;

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
  Status st = syntax->check_path(rest);
  if (!st.ok()) return fail(st);
  if (!query.empty()) {
    for (auto pair : Split(query, '&')) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return fail(InvalidArgument("query must be key=value pairs joined by '&'"));
      std::string key(pair.substr(0, eq)), value(pair.substr(eq + 1));
      if (ref.Query(key)) return fail(InvalidArgument("query key \"" + key + "\" given twice"));
      if (Status qs = CheckQuery(*syntax, key, value); !qs.ok()) return fail(qs);
      ref.query.emplace_back(std::move(key), std::move(value));
    }
  }
  if (syntax->check_ref != nullptr)
    if (Status cs = syntax->check_ref(ref); !cs.ok()) return fail(cs);
  return ref;
}

}  // namespace memsecret
