// Percent-encoding (RFC 3986 §2.1), the one encoder (and decoder) behind every URL and form
// the injector builds: SigV4's canonical URI and query (unreserved
// A-Z a-z 0-9 - _ . ~) and application/x-www-form-urlencoded bodies (STS
// AssumeRoleWithWebIdentity, the Entra token request, OAuth token endpoints;
// oauth/form_encoding.h builds bodies and the client_secret_basic header on
// top of it). Upper-case hex. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace memsecret::injector {

// Keeps ASCII letters and digits and the bytes in `keep` as they are; a space
// becomes "+" when `space_as_plus`, every other byte "%XX".
std::string PercentEncode(std::string_view s, std::string_view keep, bool space_as_plus = false);

// RFC 3986 unreserved characters kept, space as "%20": what SigV4 requires.
// "/" is encoded too when `encode_slash` (query names and values), kept
// otherwise (a canonical URI path).
std::string UriEncode(std::string_view s, bool encode_slash);

// The WHATWG/HTML form encoding RFC 6749 Appendix B refers to: letters,
// digits and "-._*" kept, space as "+", everything else "%XX".
std::string FormUrlEncode(std::string_view s);

// Decodes "%XX" (either hex case) and, when `plus_as_space`, "+" as a space
// (query strings, as the WHATWG URL parser reads them). nullopt for a "%" not
// followed by two hex digits. Decoded bytes are returned as they are (may
// be any byte, including NUL); callers validate what they accept.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);

}  // namespace memsecret::injector
