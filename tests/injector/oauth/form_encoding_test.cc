// Form encoding (RFC 6749 Appendix B) and the
// client_secret_basic header of RFC 6749 §2.3.1.
#include "injector/oauth/form_encoding.h"

#include <gtest/gtest.h>

#include "memsecret/base64.h"

namespace memsecret::injector::oauth {
namespace {

TEST(FormUrlEncode, Table) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"", ""},         {"abcXYZ019-._*", "abcXYZ019-._*"},
      {"a b", "a+b"},   {"+", "%2B"},
      {"%", "%25"},     {":", "%3A"},
      {"=", "%3D"},     {"&", "%26"},
      {"/~", "%2F%7E"}, {"\xC3\xA9", "%C3%A9"},  // é in UTF-8
  };
  for (const Case& c : cases) EXPECT_EQ(FormUrlEncode(c.in), c.out) << c.in;
}

TEST(BasicAuthorization, FormEncodesIdAndSecretBeforeBase64) {
  // "my client:id" / "s3cr+t%:=" -> "my+client%3Aid:s3cr%2Bt%25%3A%3D"
  SecretValue h = BasicAuthorization("my client:id", SecretValue("s3cr+t%:="));
  EXPECT_EQ(h.Reveal(), "Basic " + Base64Encode("my+client%3Aid:s3cr%2Bt%25%3A%3D"));
}

TEST(BasicAuthorization, UnencodedVariantJoinsVerbatim) {
  SecretValue h = BasicAuthorization("id", SecretValue("a+b"), /*form_encode=*/false);
  EXPECT_EQ(h.Reveal(), "Basic " + Base64Encode("id:a+b"));
}

TEST(FormBody, JoinsEncodedPairsInOrder) {
  FormBody form;
  form.Add("grant_type", "client_credentials");
  form.Add("scope", "read write");
  form.AddSecret("client_secret", SecretValue("p&q=r"));
  EXPECT_EQ(form.Build().Reveal(),
            "grant_type=client_credentials&scope=read+write&client_secret=p%26q%3Dr");
}

}  // namespace
}  // namespace memsecret::injector::oauth
