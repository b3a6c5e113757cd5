#include "memsecret/json_reader.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/json_bytes.h"
#include "memsecret/utf8.h"

namespace memsecret::webhook {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool JsonReader::Fail(const char* what) {
  if (error_.empty()) error_ = std::string(what) + " at byte " + std::to_string(pos_);
  pos_ = text_.size();
  stack_.clear();
  return false;
}

void JsonReader::SkipWhitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

bool JsonReader::Expect(char c) {
  SkipWhitespace();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return Fail(c == ':' ? "expected ':'" : "unexpected character");
}

JsonReader::Type JsonReader::Peek() {
  if (!ok()) return Type::kError;
  SkipWhitespace();
  if (pos_ >= text_.size()) return Type::kError;
  switch (text_[pos_]) {
    case '{':
      return Type::kObject;
    case '[':
      return Type::kArray;
    case '"':
      return Type::kString;
    case 't':
    case 'f':
      return Type::kBool;
    case 'n':
      return Type::kNull;
    default:
      return text_[pos_] == '-' || IsDigit(text_[pos_]) ? Type::kNumber : Type::kError;
  }
}

bool JsonReader::Push(char closer) {
  if (stack_.size() >= kMaxDepth) return Fail("nesting deeper than 512 levels");
  stack_.push_back(closer);
  first_ = true;
  ++pos_;
  return true;
}

bool JsonReader::EnterObject() { return Peek() == Type::kObject && Push('}'); }
bool JsonReader::EnterArray() { return Peek() == Type::kArray && Push(']'); }

bool JsonReader::AfterValue() {
  SkipWhitespace();
  if (pos_ >= text_.size()) return Fail("unexpected end of input");
  const char closer = stack_.back();
  if (text_[pos_] == closer) {
    ++pos_;
    stack_.pop_back();
    first_ = false;  // the enclosing container now holds this one
    return false;
  }
  if (text_[pos_] != ',')
    return Fail(closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  ++pos_;
  return true;
}

bool JsonReader::NextKey(std::string_view* key) {
  if (!ok() || stack_.empty() || stack_.back() != '}') return Fail("not inside an object");
  if (first_) {
    first_ = false;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      stack_.pop_back();
      return false;
    }
  } else if (!AfterValue()) {
    return false;
  }
  SkipWhitespace();
  if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a member name");
  const size_t start = pos_;
  saw_escape_ = false;
  if (!ScanString(nullptr)) return false;
  if (saw_escape_) {  // rare: decode it
    pos_ = start;
    key_.clear();
    ScanString(&key_);
    *key = key_;
  } else {
    *key = text_.substr(start + 1, pos_ - start - 2);
  }
  return Expect(':');
}

bool JsonReader::NextElement() {
  if (!ok() || stack_.empty() || stack_.back() != ']') return Fail("not inside an array");
  if (first_) {
    first_ = false;
    SkipWhitespace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      stack_.pop_back();
      return false;
    }
    return true;
  }
  return AfterValue();
}

bool JsonReader::ScanUtf8(size_t* i) {
  const size_t n = Utf8SequenceLength(text_, *i);
  if (n == 0) return pos_ = *i, Fail("invalid UTF-8 in string");
  *i += n;
  return true;
}

bool JsonReader::ScanEscape(size_t* i, std::string* out) {
  const auto fail = [&](const char* what) { return pos_ = *i, Fail(what); };
  if (*i + 1 >= text_.size()) return fail("unterminated string");
  const char e = text_[*i + 1];
  const char* simple = nullptr;
  switch (e) {
    case '"':
      simple = "\"";
      break;
    case '\\':
      simple = "\\";
      break;
    case '/':
      simple = "/";
      break;
    case 'b':
      simple = "\b";
      break;
    case 'f':
      simple = "\f";
      break;
    case 'n':
      simple = "\n";
      break;
    case 'r':
      simple = "\r";
      break;
    case 't':
      simple = "\t";
      break;
    case 'u':
      break;
    default:
      return fail("invalid escape in string");
  }
  if (simple) {
    if (out) out->push_back(*simple);
    *i += 2;
    return true;
  }
  const auto unit = [&](size_t at, uint32_t* v) {
    if (at + 4 > text_.size()) return false;
    *v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const int h = HexValue(text_[at + k]);
      if (h < 0) return false;
      *v = *v << 4 | static_cast<uint32_t>(h);
    }
    return true;
  };
  uint32_t cp;
  if (!unit(*i + 2, &cp)) return fail("invalid \\u escape in string");
  size_t end = *i + 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("unpaired surrogate in \\u escape");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low;
    if (end + 1 >= text_.size() || text_[end] != '\\' || text_[end + 1] != 'u' ||
        !unit(end + 2, &low) || low < 0xDC00 || low > 0xDFFF)
      return fail("unpaired surrogate in \\u escape");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    end += 6;
  }
  if (out) AppendUtf8(out, cp);
  *i = end;
  return true;
}

bool JsonReader::ScanString(std::string* out) {
  size_t i = pos_ + 1;
  for (;;) {
    const size_t run = i;
    while (i + 8 <= text_.size()) {  // 8 plain ASCII bytes at a time
      const uint64_t word = LoadWord(text_.data() + i);
      if (HasJsonEscapeByte(word) || HasNonAsciiByte(word)) break;
      i += 8;
    }
    while (i < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++i;
    }
    if (out) out->append(text_.data() + run, i - run);
    if (i >= text_.size()) return pos_ = i, Fail("unterminated string");
    const unsigned char c = static_cast<unsigned char>(text_[i]);
    if (c == '"') {
      pos_ = i + 1;
      return true;
    }
    if (c == '\\') {
      saw_escape_ = true;
      if (!ScanEscape(&i, out)) return false;
    } else if (c < 0x20) {
      return pos_ = i, Fail("control character in string");
    } else {
      const size_t start = i;
      if (!ScanUtf8(&i)) return false;
      if (out) out->append(text_.data() + start, i - start);
    }
  }
}

bool JsonReader::ScanNumber(bool* is_int, int64_t* value) {
  size_t i = pos_;
  const bool negative = text_[i] == '-';
  if (negative) ++i;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text_.size() && IsDigit(text_[i])) ++i;
    return i - start;
  };
  const size_t int_start = i;
  const size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0'))
    return pos_ = int_start, Fail("invalid number");
  *is_int = true;
  if (i < text_.size() && text_[i] == '.') {
    ++i;
    if (digits() == 0) return pos_ = i, Fail("invalid number");
    *is_int = false;
  }
  if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
    ++i;
    if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
    if (digits() == 0) return pos_ = i, Fail("invalid number");
    *is_int = false;
  }
  if (!*is_int || int_digits > 18) {
    // As nlohmann_json does: a number beyond the double range (overflow to
    // infinity; underflow is fine) is an error. Rare path: copy the token.
    const std::string token(text_.substr(pos_, i - pos_));
    if (std::isinf(std::strtod(token.c_str(), nullptr))) return Fail("number out of range");
  }
  if (*is_int) {
    uint64_t magnitude = 0;
    for (size_t k = int_start; k < int_start + int_digits && *is_int; ++k)
      if (__builtin_mul_overflow(magnitude, 10u, &magnitude) ||
          __builtin_add_overflow(magnitude, static_cast<uint64_t>(text_[k] - '0'), &magnitude))
        *is_int = false;
    const uint64_t limit =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
    if (*is_int && magnitude > limit) *is_int = false;
    if (*is_int)
      *value = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  }
  pos_ = i;
  return true;
}

bool JsonReader::ScanLiteral(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Fail("invalid literal");
  pos_ += word.size();
  return true;
}

bool JsonReader::ReadString(std::string* out) {
  if (Peek() != Type::kString) return Skip(), false;
  out->clear();
  return ScanString(out);
}

bool JsonReader::ReadInt64(int64_t* out) {
  if (Peek() != Type::kNumber) return Skip(), false;
  bool is_int = false;
  int64_t value = 0;
  if (!ScanNumber(&is_int, &value) || !is_int) return false;
  *out = value;
  return true;
}

bool JsonReader::ReadBool(bool* out) {
  if (Peek() != Type::kBool) return Skip(), false;
  const bool value = text_[pos_] == 't';
  Skip();  // validates the literal ("tru" is an error)
  if (!ok()) return false;
  *out = value;
  return true;
}

void JsonReader::Skip() {
  const size_t base = stack_.size();
  do {
    // Inside a container being skipped: move to its next value, or close it.
    if (stack_.size() > base) {
      std::string_view key;
      const bool more = stack_.back() == '}' ? NextKey(&key) : NextElement();
      if (!more) continue;
    }
    bool is_int;
    int64_t ignored;
    switch (Peek()) {
      case Type::kObject:
        Push('}');
        break;
      case Type::kArray:
        Push(']');
        break;
      case Type::kString:
        ScanString(nullptr);
        break;
      case Type::kNumber:
        ScanNumber(&is_int, &ignored);
        break;
      case Type::kBool:
        ScanLiteral(text_[pos_] == 't' ? "true" : "false");
        break;
      case Type::kNull:
        ScanLiteral("null");
        break;
      case Type::kError:
        Fail(pos_ >= text_.size() ? "unexpected end of input" : "expected a value");
        break;
    }
  } while (ok() && stack_.size() > base);
}

bool JsonReader::Finish() {
  if (!ok()) return false;
  if (!stack_.empty()) return Fail("unclosed object or array");
  SkipWhitespace();
  if (pos_ != text_.size()) return Fail("unexpected data after the JSON value");
  return true;
}

}  // namespace memsecret::webhook
