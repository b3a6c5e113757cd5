// Wire encodings shared by the token issuers: application/x-www-form-urlencoded
// (RFC 6749 Appendix B) and the client_secret_basic Authorization header of
// RFC 6749 §2.3.1 (base64 from memsecret/base64.h). Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "injector/base/percent_encoding.h"
#include "injector/base/secret_value.h"

namespace memsecret::injector::oauth {

// FormUrlEncode (injector/base/percent_encoding.h) encodes each name and value.
using injector::FormUrlEncode;

// A form body under construction. Values that are secrets are appended from
// a SecretValue so the body itself is a SecretValue (never logged).
class FormBody {
 public:
  FormBody() = default;
  FormBody(const FormBody&) = delete;
  FormBody& operator=(const FormBody&) = delete;
  ~FormBody() { SecureWipe(body_); }

  void Add(std::string_view name, std::string_view value);
  void AddSecret(std::string_view name, const SecretValue& value);
  // "name=value&name=value", in insertion order.
  SecretValue Build() const;

 private:
  std::string body_;
  void Append(std::string_view name, std::string_view value);
};

// "Basic " + base64(FormUrlEncode(client_id) ":" FormUrlEncode(secret)), as
// RFC 6749 §2.3.1 requires. When `form_encode` is false the id and secret are
// joined unencoded (what Genesys Cloud's SDKs send; their ids and secrets are
// URL-safe, so both forms agree for them).
SecretValue BasicAuthorization(std::string_view client_id, const SecretValue& secret,
                               bool form_encode = true);

}  // namespace memsecret::injector::oauth
