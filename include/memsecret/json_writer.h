// JsonWriter: builds JSON text straight into a string, for the hot paths
// that only ever write (the admission response, its JSON Patch, the
// injection plan). No DOM, no per-value allocation. Keys are written in the
// order the caller gives; callers that promise canonical output (sorted keys,
// as nlohmann_json's dump() prints) write them sorted. Strings are escaped
// the way nlohmann_json's dump() escapes them (", \, control characters;
// UTF-8 passes through), so `json::parse(out).dump() == out` holds for
// canonical callers; the caller guarantees the strings are valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memsecret {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The member name for the next value (inside an object only).
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  // Shortest text that reads back as the same double (finite values only;
  // NaN and infinities are written as null, as nlohmann_json does).
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // An already encoded JSON value, inserted as is.
  JsonWriter& Raw(std::string_view json);

  // Key(key) followed by the value.
  JsonWriter& Member(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, bool value) { return Key(key).Bool(value); }

 private:
  void BeforeValue();

  std::string* out_;
  // One entry per open object/array: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `value` as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, std::string_view value);
// Appends `value` escaped for the inside of a JSON string literal (no quotes).
void AppendJsonEscaped(std::string* out, std::string_view value);

}  // namespace memsecret
