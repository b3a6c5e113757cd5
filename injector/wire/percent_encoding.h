// application/x-www-form-urlencoded encoding, the one used by every form body
// the injector sends: STS AssumeRoleWithWebIdentity, the Entra token request
// and the OAuth token endpoints (oauth/form_encoding.h builds bodies and the
// client_secret_basic header on top of it). Pure.
#pragma once

#include <string>
#include <string_view>

namespace memsecret::injector {

// Encodes one name or value: ALPHA / DIGIT / "-" / "." / "_" / "*" stay as
// they are, a space becomes "+", every other byte becomes "%XX" (upper-case
// hex). This is the WHATWG/HTML form encoding RFC 6749 Appendix B refers to.
std::string FormUrlEncode(std::string_view s);

}  // namespace memsecret::injector
