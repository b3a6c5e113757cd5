// The text helpers every backend shares: form encoding of outgoing bodies
// (injector/form_encoding.h) and cleaning of server-sent text
// (injector/remote_text.h).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "injector/base/percent_encoding.h"
#include "injector/base/remote_text.h"

namespace memsecret::injector {
namespace {

TEST(FormUrlEncode, Table) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"", ""},
      {"abcXYZ019-._*", "abcXYZ019-._*"},
      {"a b", "a+b"},
      {"+", "%2B"},
      {"%", "%25"},
      {":", "%3A"},
      {"=", "%3D"},
      {"&", "%26"},
      {"/~", "%2F%7E"},
      {"\xC3\xA9", "%C3%A9"},  // é in UTF-8
      {"arn:aws:iam::1:role/a b+c=", "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa+b%2Bc%3D"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormUrlEncode(c.in), c.out) << c.in;
}

TEST(PercentDecode, Table) {
  struct Case {
    std::string in;
    bool plus_as_space;
    std::optional<std::string> out;  // nullopt: malformed
  } cases[] = {
      {"", true, ""},
      {"abc", true, "abc"},
      {"a+b", true, "a b"},
      {"a+b", false, "a+b"},
      {"%2B%2b", true, "++"},
      {"arn%3Aaws%3Asecretsmanager", true, "arn:aws:secretsmanager"},
      {"%C3%A9", false, "\xC3\xA9"},
      {"%00", false, std::string("\0", 1)},
      {"%", true, std::nullopt},
      {"%4", true, std::nullopt},
      {"a%4", true, std::nullopt},
      {"%G1", true, std::nullopt},
      {"%1G", true, std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(PercentDecode(c.in, c.plus_as_space), c.out) << c.in;
  // Encoding then decoding gives the bytes back.
  const std::string any = "a b+c/d%e&f=\xC3\xA9";
  EXPECT_EQ(PercentDecode(FormUrlEncode(any), true), any);
  EXPECT_EQ(PercentDecode(UriEncode(any, true), false), any);
}

TEST(CleanRemoteText, KeepsPrintableAsciiAndBlanksEverythingElse) {
  EXPECT_EQ(CleanRemoteText("Access denied: role/x"), "Access denied: role/x");
  EXPECT_EQ(CleanRemoteText("a\nb\x01", 10), "a b ");
  EXPECT_EQ(CleanRemoteText("key\r\n{\"level\":\"info\"}"), "key  {\"level\":\"info\"}");
  EXPECT_EQ(CleanRemoteText("del\x7f caf\xC3\xA9"), "del  caf  ");
}

TEST(CleanRemoteText, CutsAtMaxAndSaysSo) {
  EXPECT_EQ(CleanRemoteText(std::string(300, 'x'), 5), "xxxxx...");
  EXPECT_EQ(CleanRemoteText("abcde", 5), "abcde");
  EXPECT_EQ(CleanRemoteText(std::string(250, 'y')).size(), 203u);  // default 200 + "..."
}

}  // namespace
}  // namespace memsecret::injector
