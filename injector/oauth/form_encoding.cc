#include "injector/oauth/form_encoding.h"

#include <string>

#include "memsecret/base64.h"

namespace memsecret::injector::oauth {

void FormBody::Append(std::string_view name, std::string_view value) {
  if (!body_.empty()) body_ += '&';
  body_ += FormUrlEncode(name);
  body_ += '=';
  std::string encoded = FormUrlEncode(value);
  body_ += encoded;
  SecureWipe(encoded);
}

void FormBody::Add(std::string_view name, std::string_view value) { Append(name, value); }

void FormBody::AddSecret(std::string_view name, const SecretValue& value) {
  Append(name, value.Reveal());
}

SecretValue FormBody::Build() const { return SecretValue(body_); }

SecretValue BasicAuthorization(std::string_view client_id, const SecretValue& secret,
                               bool form_encode) {
  std::string joined = form_encode ? FormUrlEncode(client_id) : std::string(client_id);
  joined += ':';
  if (form_encode) {
    std::string enc = FormUrlEncode(secret.Reveal());
    joined += enc;
    SecureWipe(enc);
  } else {
    joined += secret.Reveal();
  }
  std::string header = "Basic " + Base64Encode(joined);
  SecureWipe(joined);
  return SecretValue(std::move(header));
}

}  // namespace memsecret::injector::oauth
