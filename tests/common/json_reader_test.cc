// JsonReader: accepts exactly what nlohmann_json accepts (table of edge cases
// plus seeded random mutations of a real AdmissionReview), decodes strings
// and integers the same way, and reports where a document went wrong.
#include "memsecret/json_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace memsecret::webhook {
namespace {

bool Accepts(std::string_view text) {
  JsonReader r(text);
  r.Skip();
  return r.Finish();
}

TEST(JsonReaderTest, AcceptsExactlyWhatNlohmannAccepts) {
  const char* cases[] = {
      "{}",
      "[]",
      "  {\"a\" : [1, 2 , {\"b\":null}] }  ",
      "0",
      "-0",
      "-12.5e+3",
      "1E5",
      "true",
      "false",
      "null",
      "\"\"",
      "\"\\u00e9\\ud83d\\ude00\"",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"caf\xc3\xa9\"",
      "\"\xf4\x8f\xbf\xbf\"",
      // refused
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "[,1]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{a:1}",
      "{'a':1}",
      "[1 2]",
      "01",
      "1.",
      ".5",
      "+1",
      "1e",
      "1e+",
      "-",
      "--1",
      "tru",
      "nul",
      "True",
      "\"abc",
      "\"a\nb\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\ud800\\u0041\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xe2\x82\"",
      "\"\x80\"",
      "\"\xff\"",
      "{} {}",
      "[] x",
      "[1]]",
      "{\"a\":1}}",
      "\x00",
      "[\"a\"\x00]",
      "{\"a\":[}",
      "[{]}",
      "1e400",
      "-1e400",
      "[1e308]",
      "1e-400",
      "18446744073709551616",
      "18446744073709551616000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000",
  };
  for (const char* c : cases) EXPECT_EQ(Accepts(c), nlohmann::json::accept(c)) << "input: " << c;
}

TEST(JsonReaderTest, NulOutsideStringsIsAnErrorUnlikeNlohmann) {
  // nlohmann_json stops reading at a NUL byte; RFC 8259 has no such rule.
  for (const std::string& doc :
       {std::string("0\0x", 3), std::string("{}\0", 3), std::string("[\"a\"\0]", 6)}) {
    EXPECT_FALSE(Accepts(doc));
  }
  EXPECT_FALSE(Accepts(std::string("\"a\0b\"", 5)));  // a raw control character in a string
  EXPECT_FALSE(nlohmann::json::accept(std::string("\"a\0b\"", 5)));
}

TEST(JsonReaderTest, RandomMutationsOfAReviewAgreeWithNlohmann) {
  std::ifstream in(std::string(MEMSECRET_SOURCE_DIR) + "/bench/fixtures/admission-review.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string base = ss.str();
  ASSERT_TRUE(nlohmann::json::accept(base));
  std::mt19937 rng(20261121);
  const std::string alphabet = "{}[],:\"\\ 0123456789.eE+-tfnul\x01\x7f\xc3\xa9\xed\xf0";
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % doc.size();
      switch (rng() % 3) {
        case 0:
          doc[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          doc.erase(at, 1 + rng() % 4);
          break;
        default:
          doc.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    const bool reference = doc.find('\0') == std::string::npos && nlohmann::json::accept(doc);
    refused += !reference;
    ASSERT_EQ(Accepts(doc), reference) << "mutation " << i;
  }
  EXPECT_GT(refused, 1000);  // the mutations do produce invalid documents
}

TEST(JsonReaderTest, DecodesStringsAndKeysLikeNlohmann) {
  const std::string doc =
      R"({"k\u0065y":"v\u00e9\ud83d\ude00\n\"q\"","plain":"abcdefghijklmnopqrstuvwxyz"})";
  const auto dom = nlohmann::json::parse(doc);
  JsonReader r(doc);
  ASSERT_TRUE(r.EnterObject());
  std::string_view key;
  std::vector<std::pair<std::string, std::string>> seen;
  while (r.NextKey(&key)) {
    std::string k(key), v;
    ASSERT_TRUE(r.ReadString(&v));
    seen.emplace_back(k, v);
  }
  ASSERT_TRUE(r.Finish()) << r.error();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, "key");
  EXPECT_EQ(seen[0].second, dom["key"].get<std::string>());
  EXPECT_EQ(seen[1].second, dom["plain"].get<std::string>());
}

TEST(JsonReaderTest, ReadsInt64AndConsumesOtherTypes) {
  JsonReader r(
      R"([1000, -9223372036854775808, 9223372036854775807, 9223372036854775808, 1.5, 1e3, "7", null, 42])");
  ASSERT_TRUE(r.EnterArray());
  std::vector<std::optional<int64_t>> got;
  while (r.NextElement()) {
    int64_t v;
    got.push_back(r.ReadInt64(&v) ? std::optional<int64_t>(v) : std::nullopt);
  }
  ASSERT_TRUE(r.Finish()) << r.error();
  const std::vector<std::optional<int64_t>> want = {1000,
                                                    std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::max(),
                                                    std::nullopt,
                                                    std::nullopt,
                                                    std::nullopt,
                                                    std::nullopt,
                                                    std::nullopt,
                                                    42};
  EXPECT_EQ(got, want);
}

TEST(JsonReaderTest, ReadsBoolsAndConsumesOtherTypes) {
  JsonReader r(R"([true, false, "true", 1, null, {"a": true}, true])");
  ASSERT_TRUE(r.EnterArray());
  std::vector<std::optional<bool>> got;
  while (r.NextElement()) {
    bool v;
    got.push_back(r.ReadBool(&v) ? std::optional<bool>(v) : std::nullopt);
  }
  ASSERT_TRUE(r.Finish()) << r.error();
  const std::vector<std::optional<bool>> want = {
      true, false, std::nullopt, std::nullopt, std::nullopt, std::nullopt, true};
  EXPECT_EQ(got, want);
  JsonReader bad("tru");
  bool v = false;
  EXPECT_FALSE(bad.ReadBool(&v));
  EXPECT_FALSE(bad.ok());
}

TEST(JsonReaderTest, ErrorsNameTheProblemAndTheByte) {
  JsonReader r(R"({"a": [1, 2 3]})");
  r.Skip();
  EXPECT_FALSE(r.Finish());
  EXPECT_EQ(r.error(), "expected ',' or ']' at byte 12");
  JsonReader bad_utf8("\"ab\xff\"");
  bad_utf8.Skip();
  EXPECT_EQ(bad_utf8.error(), "invalid UTF-8 in string at byte 3");
  JsonReader trailing("{} x");
  trailing.Skip();
  EXPECT_FALSE(trailing.Finish());
  EXPECT_EQ(trailing.error(), "unexpected data after the JSON value at byte 3");
}

TEST(JsonReaderTest, NestingIsBoundedWithoutRecursion) {
  const std::string ok_depth =
      std::string(JsonReader::kMaxDepth, '[') + std::string(JsonReader::kMaxDepth, ']');
  EXPECT_TRUE(Accepts(ok_depth));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  JsonReader r(deep);
  r.Skip();
  EXPECT_FALSE(r.Finish());
  EXPECT_NE(r.error().find("nesting deeper than 512"), std::string::npos);
}

TEST(JsonReaderTest, EveryCallFailsAfterAnError) {
  JsonReader r(R"({"a": tru, "b": 1})");
  ASSERT_TRUE(r.EnterObject());
  std::string_view key;
  ASSERT_TRUE(r.NextKey(&key));
  r.Skip();  // the bad literal
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.NextKey(&key));
  EXPECT_EQ(r.Peek(), JsonReader::Type::kError);
  std::string s;
  EXPECT_FALSE(r.ReadString(&s));
  EXPECT_FALSE(r.Finish());
}

}  // namespace
}  // namespace memsecret::webhook
