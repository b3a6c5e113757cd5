// Url: the small absolute-URL parser outbound clients share (scheme, host,
// port, path+query), and the rule for where plain http is acceptable.
// Header-only; no I/O.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "memsecret/status.h"

namespace memsecret {

struct Url {
  std::string scheme;  // "http" or "https", lowercased
  std::string host;    // lowercased; IPv6 literals without brackets
  int port = 0;        // explicit or the scheme's default
  bool explicit_port = false;
  std::string target;  // path and query, "/" when empty

  // "host" or "host:port" (brackets for IPv6) as sent in the Host header:
  // the port only when explicit and not the scheme default.
  std::string HostHeader() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    if (explicit_port && !default_port) h += ":" + std::to_string(port);
    return h;
  }
};

// Parses `scheme://host[:port][/path][?query]`. Userinfo and fragments are
// rejected (credentials never travel in URLs). Only http and https.
inline Result<Url> ParseUrl(std::string_view text) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return InvalidArgument("URL must be absolute (scheme://host)");
  u.scheme = std::string(text.substr(0, sep));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (u.scheme != "https" && u.scheme != "http")
    return InvalidArgument("URL scheme must be https or http");
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos)
    return InvalidArgument("URL must not contain a fragment");
  auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  u.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos)
    return InvalidArgument("URL must not contain user information");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("URL has an unterminated IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgument("URL has junk after the IPv6 literal");
      port_text = after.substr(1);
      u.explicit_port = true;
    }
  } else {
    auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      u.explicit_port = true;
    }
  }
  if (u.host.empty()) return InvalidArgument("URL has no host");
  for (char c : u.host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
          c == '_'))
      return InvalidArgument("URL host contains an invalid character");
  }
  std::transform(u.host.begin(), u.host.end(), u.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  u.port = u.scheme == "https" ? 443 : 80;
  if (u.explicit_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
      return InvalidArgument("URL port must be a number");
    u.port = std::stoi(std::string(port_text));
    if (u.port < 1 || u.port > 65535) return InvalidArgument("URL port out of range");
  }
  return u;
}

// The one loopback rule, for every place that decides whether plain http is
// acceptable: "localhost", an IPv4 address in 127.0.0.0/8 written as a full
// dotted quad, or the IPv6 loopback address in any spelling (::1,
// 0:0:0:0:0:0:0:1, 0000::0001, ...) including IPv4-mapped 127/8
// (::ffff:127.0.0.1). Anything else — short forms such as "127.1", names
// that merely start with "127.", userinfo tricks — is not loopback. `host`
// as in Url::host (lower case, IPv6 without brackets). Pure (inet_pton).
inline bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return false;
  std::string text(host);
  unsigned char addr[16];
  if (inet_pton(AF_INET, text.c_str(), addr) == 1) return addr[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), addr) != 1) return false;
  static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(addr, addr + 16, kLoopback6)) return true;
  return std::equal(addr, addr + 12, kMappedPrefix) && addr[12] == 127;
}

// Where outbound requests may go: `https://` anywhere, plain `http://` only
// to a loopback host (IsLoopbackHost). Every check of an outbound URL (config
// allowlists, issuer URLs, Vault and Azure addresses, token URLs, the HTTP
// client itself) calls this, so the rule has one home. `what` names the
// setting in the error ("vault.addr", "token URL", ...).
inline Result<Url> ParseOutboundUrl(std::string_view text, std::string_view what) {
  Result<Url> url = ParseUrl(text);
  if (!url.ok()) return url.status().WithContext(std::string(what));
  if (url->scheme == "http" && !IsLoopbackHost(url->host))
    return InvalidArgument(std::string(what) + " \"" + std::string(text) +
                           "\" must be https:// (plain http only to loopback)");
  return url;
}

// "<scheme>://<host>[:<port>]" of `text` (the port only when not the
// scheme's default; host lowercased, IPv6 in brackets), or "" when `text` is
// not a URL: what an address fence matches (the pipeline commands' --allow-addr).
inline std::string UrlOrigin(std::string_view text) {
  auto url = ParseUrl(text);
  if (!url.ok()) return "";
  const bool default_port =
      (url->scheme == "https" && url->port == 443) || (url->scheme == "http" && url->port == 80);
  std::string host = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  return url->scheme + "://" + host + (default_port ? "" : ":" + std::to_string(url->port));
}

// Node-local link addresses of the EKS Pod Identity / ECS credential agents,
// which only speak plain http (botocore ContainerMetadataFetcher allows the
// same set).
inline bool IsContainerCredentialAgentHost(std::string_view host) {
  return host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

}  // namespace memsecret
