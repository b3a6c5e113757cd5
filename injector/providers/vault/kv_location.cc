#include "injector/providers/vault/kv_location.h"

#include <cctype>
#include <charconv>

#include "injector/providers/vault/vault_spec.h"

namespace memsecret::injector::vault {

namespace {

std::string EncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("/._~@+=-").find(c) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

Result<int64_t> ParseVersion(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0)
    return InvalidArgument("vault version must be a positive integer, not \"" + text.substr(0, 32) +
                           "\"");
  return v;
}

}  // namespace

std::string KvLocation::RequestTarget() const {
  std::string target = "/v1/" + EncodePath(mount) + "/";
  if (kv_version == 2) target += "data/";
  target += EncodePath(path);
  if (kv_version == 2 && version) target += "?version=" + std::to_string(*version);
  return target;
}

std::string KvLocation::Describe() const {
  std::string out = mount + "/" + path + " (kv v" + std::to_string(kv_version);
  if (version) out += ", version " + std::to_string(*version);
  return out + ")";
}

Result<KvLocation> ResolveKvLocation(const SecretRef& ref, const FetchOptions& options) {
  if (ref.provider != kVaultBackend) return InvalidArgument("not a vault: reference");
  if (options.stage) return InvalidArgument("vault secrets have no stages");
  KvLocation loc;
  const std::string& full = ref.path;
  if (auto mount = ref.Query("mount")) {
    std::string m = *mount;
    while (!m.empty() && m.back() == '/') m.pop_back();
    if (m.empty() || full.size() <= m.size() + 1 || full.compare(0, m.size(), m) != 0 ||
        full[m.size()] != '/')
      return InvalidArgument("mount \"" + m + "\" is not a leading part of the path \"" + full +
                             "\" followed by a secret path");
    loc.mount = m;
    loc.path = full.substr(m.size() + 1);
  } else {
    size_t slash = full.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= full.size())
      return InvalidArgument("vault path must be <mount>/<path>");
    loc.mount = full.substr(0, slash);
    loc.path = full.substr(slash + 1);
  }
  if (auto kv = ref.Query("kv")) {
    if (*kv != "1" && *kv != "2") return InvalidArgument("kv must be 1 or 2");
    loc.kv_version = *kv == "1" ? 1 : 2;
  }
  std::optional<std::string> version = options.version ? options.version : ref.Query("version");
  if (version) {
    if (loc.kv_version == 1) return InvalidArgument("version is only supported by KV v2");
    auto v = ParseVersion(*version);
    if (!v.ok()) return v.status();
    loc.version = *v;
  }
  return loc;
}

}  // namespace memsecret::injector::vault
