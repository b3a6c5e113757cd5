// FormatSecret: field selection and the raw/json/env formats, table-driven;
// env output is checked by sourcing it in a real shell.
#include "injector/runtime/secret_format.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "testing/temp_dir.h"

using memsecret::testing::TempDir;

namespace memsecret::injector {
namespace {

struct Case {
  const char* name;
  std::string value;
  std::optional<std::string> field;
  OutputFormat format;
  std::string want;  // expected output, or expected error code name when want_error
  bool want_error = false;
  Code code = Code::kOk;
};

class RenderTest : public ::testing::TestWithParam<Case> {};

TEST_P(RenderTest, Renders) {
  const Case& c = GetParam();
  auto r = FormatSecret(SecretValue(c.value), c.field, c.format, "db-password");
  if (c.want_error) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_EQ(r.status().message().find("s3cr"), std::string::npos);  // never the value
    return;
  }
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(std::string(r->Reveal()), c.want);
}

const std::string kObj =
    R"({"clientId":"abc","clientSecret":"s3cr'et","port":5432,"tls":true,"extra":{"a":1}})";

INSTANTIATE_TEST_SUITE_P(
    Table, RenderTest,
    ::testing::Values(Case{"raw_bytes", std::string("s3cr\0\n\xff", 7), std::nullopt,
                           OutputFormat::kRaw, std::string("s3cr\0\n\xff", 7)},
                      Case{"raw_field_string", kObj, "clientSecret", OutputFormat::kRaw, "s3cr'et"},
                      Case{"raw_field_number", kObj, "port", OutputFormat::kRaw, "5432"},
                      Case{"raw_field_object", kObj, "extra", OutputFormat::kRaw, R"({"a":1})"},
                      Case{"json_passthrough", kObj, std::nullopt, OutputFormat::kJson, kObj},
                      Case{"json_text_becomes_string", "s3cr\"et", std::nullopt,
                           OutputFormat::kJson, R"("s3cr\"et")"},
                      Case{"json_field", kObj, "clientSecret", OutputFormat::kJson, R"("s3cr'et")"},
                      Case{"env_object", R"({"USER":"app","PASS":"s3cr'et $HOME `x`","N":5})",
                           std::nullopt, OutputFormat::kEnv,
                           "N='5'\nPASS='s3cr'\\''et $HOME `x`'\nUSER='app'\n"},
                      Case{"env_scalar_uses_file_name", "s3cret\nline2", std::nullopt,
                           OutputFormat::kEnv, "DB_PASSWORD='s3cret\nline2'\n"},
                      Case{"env_field_uses_field_name", kObj, "clientSecret", OutputFormat::kEnv,
                           "clientSecret='s3cr'\\''et'\n"},
                      Case{"missing_field_is_not_found", kObj, "nope", OutputFormat::kRaw, "", true,
                           Code::kNotFound},
                      Case{"field_of_non_json", "s3cret", "clientSecret", OutputFormat::kRaw, "",
                           true, Code::kInvalidArgument},
                      Case{"field_of_json_array", "[1,2]", "0", OutputFormat::kRaw, "", true,
                           Code::kInvalidArgument},
                      Case{"env_bad_key", R"({"not-a-name":"s3cret"})", std::nullopt,
                           OutputFormat::kEnv, "", true, Code::kInvalidArgument},
                      Case{"env_nul_byte", std::string("s3cr\0et", 7), std::nullopt,
                           OutputFormat::kEnv, "", true, Code::kInvalidArgument},
                      Case{"json_invalid_utf8", "s3cr\xff", std::nullopt, OutputFormat::kJson, "",
                           true, Code::kInvalidArgument}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(RenderEnvTest, ShellReadsBackEveryByteExactly) {
  std::string tricky;
  for (int c = 1; c < 256; ++c) tricky += static_cast<char>(c);
  auto r = FormatSecret(SecretValue(tricky), std::nullopt, OutputFormat::kEnv, "blob");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  TempDir dir;
  std::string env_file = dir.path() + "/env", out_file = dir.path() + "/out";
  { std::ofstream(env_file, std::ios::binary) << r->Reveal(); }
  std::string cmd = "sh -c '. \"$0\" && printf %s \"$BLOB\" > \"$1\"' " + env_file + " " + out_file;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(out_file, std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, tricky);
}

TEST(RenderEnvTest, NamesFromFileNames) {
  EXPECT_EQ(EnvVarFromFileName("db-password"), "DB_PASSWORD");
  EXPECT_EQ(EnvVarFromFileName("9lives.txt"), "_9LIVES_TXT");
  EXPECT_EQ(ShellSingleQuote("it's"), "'it'\\''s'");
}

// env-var-<name>: the one variable of a single value; an object has none.
TEST(RenderEnvTest, EnvVarNamesTheValue) {
  const SecretValue creds(R"({"api_key":"K1","api_secret":"S1"})");
  auto key =
      FormatSecret(creds, std::string("api_key"), OutputFormat::kEnv, "cxone-key", "CXONE_API_KEY");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->Reveal(), "CXONE_API_KEY='K1'\n");
  auto scalar = FormatSecret(SecretValue("plain"), std::nullopt, OutputFormat::kEnv, "x", "MY_VAR");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->Reveal(), "MY_VAR='plain'\n");
  auto object = FormatSecret(creds, std::nullopt, OutputFormat::kEnv, "cxone", "CXONE");
  ASSERT_FALSE(object.ok());
  EXPECT_NE(object.status().message().find("select a field"), std::string::npos);
  EXPECT_EQ(object.status().message().find("S1"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::injector
