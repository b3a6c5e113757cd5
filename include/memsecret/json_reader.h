// JsonReader: a strict RFC 8259 pull reader for the admission hot path. The
// caller walks the parts of the document it needs (objects by key, arrays by
// element) and skips everything else without building a DOM. Whatever is
// skipped is still fully validated: grammar, string escapes (surrogate pairs
// included), UTF-8 (no overlong forms, no surrogates, <= U+10FFFF) and
// nesting depth, so the reader accepts exactly what nlohmann_json accepts,
// except documents nested deeper than kMaxDepth and a NUL byte outside
// strings (nlohmann_json takes it for the end of the input; here it is an
// error, as RFC 8259 says). After the first error every call fails, so walking loops
// end by themselves; the caller checks ok() (and Finish()) once at the end.
//
// Duplicate object keys are reported one by one, like any other key; callers
// that mirror nlohmann_json let the last one win.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memsecret::webhook {

class JsonReader {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kObject, kArray, kError };
  static constexpr size_t kMaxDepth = 512;

  explicit JsonReader(std::string_view text) : text_(text) {}

  // The type of the next value, without consuming it (kError at the end of
  // the input, on a syntax error, or when no value can start here).
  Type Peek();

  // Objects: EnterObject() consumes '{'; then NextKey() returns each member
  // name (decoded; valid until the next call) and false after the closing
  // '}' (consumed). The caller reads or Skip()s each member's value.
  bool EnterObject();
  bool NextKey(std::string_view* key);
  // Arrays: EnterArray() consumes '['; NextElement() is true while another
  // element follows (the caller reads or skips it) and false after ']'.
  bool EnterArray();
  bool NextElement();

  // Scalars: consume the next value, whatever it is; true (and `out` set)
  // when it has the type asked for. ReadInt64 takes integers without
  // fraction or exponent that fit an int64_t.
  bool ReadString(std::string* out);
  bool ReadInt64(int64_t* out);
  bool ReadBool(bool* out);
  // Consumes the next value, whatever it is (validated all the same).
  void Skip();

  // True when only whitespace follows and nothing went wrong.
  bool Finish();
  bool ok() const { return error_.empty(); }
  // "<what> at byte <offset>"; empty while ok().
  const std::string& error() const { return error_; }

 private:
  bool Fail(const char* what);
  void SkipWhitespace();
  bool Expect(char c);
  // Scans a string literal at pos_ ('"' included). Decodes into `out` when
  // given (escapes resolved), otherwise only validates.
  bool ScanString(std::string* out);
  bool ScanNumber(bool* is_int, int64_t* value);
  bool ScanLiteral(std::string_view word);
  bool ScanUtf8(size_t* i);
  bool ScanEscape(size_t* i, std::string* out);
  // After a value inside a container: ',' (then another member/element
  // follows) or the container's end.
  bool AfterValue();
  bool Push(char closer);

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  // Closers of the open containers; `first_` is true right after an opener.
  std::vector<char> stack_;
  bool first_ = false;
  bool saw_escape_ = false;  // set by ScanString on any escape
  std::string key_;          // decoded key storage when it holds escapes
};

// What a value was, for callers that record shapes instead of failing.
// kAbsent and kNull both mean "not there".
enum class JsonShape { kAbsent, kNull, kObject, kArray, kOther };

inline bool IsPresent(JsonShape s) { return s != JsonShape::kAbsent && s != JsonShape::kNull; }

inline JsonShape ShapeOf(JsonReader::Type t) {
  switch (t) {
    case JsonReader::Type::kNull:
      return JsonShape::kNull;
    case JsonReader::Type::kObject:
      return JsonShape::kObject;
    case JsonReader::Type::kArray:
      return JsonShape::kArray;
    default:
      return JsonShape::kOther;
  }
}

// Calls member(key) for each member of the object at the reader's position;
// member() must consume the value (read it or Skip() it). Any other value is
// skipped. Returns the value's shape. `key` is valid only until member()
// next calls the reader.
template <typename Fn>
JsonShape ForEachMember(JsonReader& r, Fn&& member) {
  const JsonShape shape = ShapeOf(r.Peek());
  if (shape != JsonShape::kObject) {
    r.Skip();
    return shape;
  }
  r.EnterObject();
  std::string_view key;
  while (r.NextKey(&key)) member(key);
  return shape;
}

// Calls element() for each element of the array at the reader's position;
// element() must consume it. Any other value is skipped.
template <typename Fn>
JsonShape ForEachElement(JsonReader& r, Fn&& element) {
  const JsonShape shape = ShapeOf(r.Peek());
  if (shape != JsonShape::kArray) {
    r.Skip();
    return shape;
  }
  r.EnterArray();
  while (r.NextElement()) element();
  return shape;
}

// The next value if it is a string, else empty (the value is consumed).
inline std::string ReadStringOrEmpty(JsonReader& r) {
  std::string s;
  if (!r.ReadString(&s)) s.clear();
  return s;
}

}  // namespace memsecret::webhook
