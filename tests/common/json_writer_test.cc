// JsonWriter is checked against nlohmann_json's dump(): same escaping, same
// number text, and EncodePlan's output is canonical (sorted keys).
#include "memsecret/json_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/base64.h"
#include "memsecret/plan/backends.h"
#include "memsecret/plan/injection_plan.h"

namespace memsecret {
namespace {

using nlohmann::json;

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string JsonWriterDouble(double d) {
  std::string out;
  JsonWriter(&out).Double(d);
  return out;
}

TEST(JsonWriterTest, EscapesEveryAsciiByteLikeNlohmann) {
  for (int c = 0; c < 128; ++c) {
    const std::string s = "ab" + std::string(1, static_cast<char>(c)) + "cdefghijklmnop";
    EXPECT_EQ(Quoted(s), json(s).dump()) << "byte " << c;
  }
}

TEST(JsonWriterTest, EscapesInsideLongRunsAndPassesUtf8Through) {
  // Positions around the 8-byte fast path: first, middle and last byte of a word.
  for (size_t at = 0; at < 24; ++at)
    for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
      std::string s(24, 'x');
      s[at] = special;
      EXPECT_EQ(Quoted(s), json(s).dump()) << "at " << at;
    }
  const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 and more text after it";
  EXPECT_EQ(Quoted(utf8), json(utf8).dump());
  EXPECT_EQ(Quoted(""), "\"\"");
}

TEST(JsonWriterTest, NumbersMatchNlohmann) {
  for (double d : {0.75, 0.1, 0.5, 1.0, 2.0, 1e21, 123.456, 1e-7, -3.25})
    EXPECT_EQ(JsonWriterDouble(d), json(d).dump()) << d;
  for (int64_t i : {int64_t{0}, int64_t{-1}, int64_t{65532}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string out;
    JsonWriter(&out).Int(i);
    EXPECT_EQ(out, json(i).dump());
  }
}

TEST(JsonWriterTest, NestedStructureWithCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Member("a", int64_t{1})
      .Key("b")
      .BeginArray()
      .String("x")
      .BeginObject()
      .EndObject()
      .Null()
      .EndArray();
  w.Member("c", true).Key("d").BeginArray().EndArray().Key("e").Raw("{\"z\":1}").EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",{},null],"c":true,"d":[],"e":{"z":1}})");
  EXPECT_EQ(json::parse(out).dump(), out);
}

InjectionPlan FullPlan() {
  InjectionPlan p;
  p.pod = {"crm-sync", "crm-sync-service", "crm-7d9f"};
  p.files.push_back({"client-id",
                     FileKind::kSecret,
                     ParseSecretRef("aws:/a/b#clientId").value(),
                     OutputFormat::kRaw,
                     0400,
                     {},
                     ""});
  PlannedFile token{"genesys",
                    FileKind::kToken,
                    ParseSecretRef("aws:/a/oauth").value(),
                    OutputFormat::kJson,
                    0440,
                    {},
                    ""};
  token.token =
      TokenSpec{ParseIssuer("genesys:mypurecloud.ie").value(), "users:readonly \"quoted\"", "api"};
  p.files.push_back(token);
  p.backends.Set(kAwsBackend, AwsSettings{.region = "eu-west-1",
                                          .role_arn = "arn:aws:iam::123456789012:role/x",
                                          .web_identity_token_file = "/var/run/t/aws-token",
                                          .failover_regions = {},
                                          .endpoints = {}});
  p.backends.Set(kVaultBackend, VaultSettings{"https://vault:8200", "kubernetes", "role-\u00e9",
                                              "ns1", "/var/run/t/vault-token", true});
  p.backends.Set(kAzureBackend, AzureSettings{"/var/run/t/azure-token"});
  return p;
}

TEST(JsonWriterTest, EncodedPlanIsCanonicalAndRoundTrips) {
  for (const InjectionPlan& p : {InjectionPlan{}, FullPlan()}) {
    const std::string text = EncodePlan(p);
    EXPECT_EQ(json::parse(text).dump(), text);  // sorted keys, nlohmann's number text
    auto back = DecodePlan(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, p);
  }
}

TEST(Base64Test, EncodesEveryTailLength) {
  const std::string data = "memsecret\x00\xff patch";
  for (size_t n = 0; n <= data.size(); ++n) {
    const std::string enc = Base64Encode(data.substr(0, n));
    EXPECT_EQ(enc.size(), (n + 2) / 3 * 4);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(*dec, data.substr(0, n));
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("a"), "YQ==");
}

}  // namespace
}  // namespace memsecret
