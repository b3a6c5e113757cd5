// Form bodies and the client_secret_basic header of RFC 6749 §2.3.1 (the
// encoding itself is tested in tests/injector/wire_text_test.cc).
#include "injector/oauth/form_encoding.h"

#include <gtest/gtest.h>

#include "memsecret/base64.h"

namespace memsecret::injector::oauth {
namespace {

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
