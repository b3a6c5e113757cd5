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

// Allowed query keys and their value checks, per provider.
Status CheckQuery(Provider p, std::string_view key, std::string_view value) {
  switch (p) {
    case Provider::kAws:
      if (key == "stage") {
        if (value.empty() || value.size() > 256 || !AllOf(value, "_-"))
          return InvalidArgument("stage must be 1-256 letters, digits, '_' or '-'");
        return Status::Ok();
      }
      if (key == "version") {
        if (value.size() < 32 || value.size() > 64 || !AllOf(value, "-"))
          return InvalidArgument("version must be a 32-64 character version id");
        return Status::Ok();
      }
      return InvalidArgument("unknown query key \"" + std::string(key) +
                             "\" for aws (expected stage or version)");
    case Provider::kVault:
      if (key == "kv") {
        if (value != "1" && value != "2") return InvalidArgument("kv must be 1 or 2");
        return Status::Ok();
      }
      if (key == "version") {
        if (!IsDigits(value) || value.size() > 9 || value == "0")
          return InvalidArgument("version must be a positive integer");
        return Status::Ok();
      }
      if (key == "mount") {  // a mount whose name has '/': vault:team-a/kv/app?mount=team-a/kv
        for (auto seg : Split(value, '/')) {
          if (seg.empty() || seg == "." || seg == ".." || !AllOf(seg, "._-@+="))
            return InvalidArgument(
                "mount must be '/'-separated segments of letters, digits and ._-@+=");
        }
        return Status::Ok();
      }
      return InvalidArgument("unknown query key \"" + std::string(key) +
                             "\" for vault (expected kv, version or mount)");
    case Provider::kAzure:
      if (key == "version") {
        if (value.empty() || value.size() > 64 || !AllOf(value, ""))
          return InvalidArgument("version must be 1-64 letters or digits");
        return Status::Ok();
      }
      return InvalidArgument("unknown query key \"" + std::string(key) +
                             "\" for azure (expected version)");
  }
  return Internal("unreachable");
}

}  // namespace

const char* ProviderName(Provider p) {
  switch (p) {
    case Provider::kAws:
      return "aws";
    case Provider::kVault:
      return "vault";
    case Provider::kAzure:
      return "azure";
  }
  return "?";
}

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
  if (provider == "aws")
    ref.provider = Provider::kAws;
  else if (provider == "vault")
    ref.provider = Provider::kVault;
  else if (provider == "azure")
    ref.provider = Provider::kAzure;
  else
    return fail(InvalidArgument("unknown provider \"" + std::string(provider) +
                                "\" (expected aws, vault or azure)"));

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
  Status st;
  switch (ref.provider) {
    case Provider::kAws:
      st = CheckAwsPath(rest);
      break;
    case Provider::kVault:
      st = CheckVaultPath(rest);
      break;
    case Provider::kAzure:
      st = CheckAzurePath(rest);
      break;
  }
  if (!st.ok()) return fail(st);
  if (!query.empty()) {
    for (auto pair : Split(query, '&')) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0)
        return fail(InvalidArgument("query must be key=value pairs joined by '&'"));
      std::string key(pair.substr(0, eq)), value(pair.substr(eq + 1));
      if (ref.Query(key)) return fail(InvalidArgument("query key \"" + key + "\" given twice"));
      if (Status qs = CheckQuery(ref.provider, key, value); !qs.ok()) return fail(qs);
      ref.query.emplace_back(std::move(key), std::move(value));
    }
  }
  if (auto mount = ref.Query("mount");
      ref.provider == Provider::kVault && mount &&
      !(ref.path.size() > mount->size() + 1 && ref.path.starts_with(*mount + "/")))
    return fail(
        InvalidArgument("mount \"" + *mount +
                        "\" must be a leading part of the path followed by the secret's path"));
  if (ref.provider == Provider::kVault && ref.Query("kv") == "1" && ref.Query("version"))
    return fail(InvalidArgument("version is only supported by KV v2 (drop kv=1)"));
  return ref;
}

}  // namespace memsecret
