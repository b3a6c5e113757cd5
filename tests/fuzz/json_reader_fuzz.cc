// JsonReader against nlohmann_json as the reference: the reader accepts a
// document (skipped whole, then Finish()) exactly when nlohmann_json's
// accept() does, and a top-level string decodes to the same bytes. Two
// documented exceptions where only the reader refuses: nesting deeper than
// JsonReader::kMaxDepth, and a NUL byte outside strings (nlohmann_json takes
// it for the end of the input and ignores what follows). Also walks every object/array with the
// typed readers to exercise NextKey/NextElement/ReadString/ReadInt64 on arbitrary input.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "memsecret/json_reader.h"

using memsecret::webhook::JsonReader;

namespace {

size_t Depth(std::string_view s) {  // upper bound: brackets outside strings are not told apart
  size_t depth = 0, max = 0;
  for (char c : s) {
    if (c == '[' || c == '{') max = std::max(max, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return max;
}

// Visits everything with the typed calls; must never crash or loop.
void Walk(JsonReader& r, int budget) {
  if (budget <= 0) return r.Skip();
  switch (r.Peek()) {
    case JsonReader::Type::kObject: {
      r.EnterObject();
      std::string_view key;
      while (r.NextKey(&key)) Walk(r, budget - 1);
      return;
    }
    case JsonReader::Type::kArray:
      r.EnterArray();
      while (r.NextElement()) Walk(r, budget - 1);
      return;
    case JsonReader::Type::kString: {
      std::string s;
      r.ReadString(&s);
      return;
    }
    case JsonReader::Type::kNumber: {
      int64_t v;
      r.ReadInt64(&v);
      return;
    }
    default:
      r.Skip();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool reference = nlohmann::json::accept(text);
  JsonReader skipper(text);
  skipper.Skip();
  const bool accepted = skipper.Finish();
  const bool reader_may_refuse =
      Depth(text) > JsonReader::kMaxDepth || text.find('\0') != std::string_view::npos;
  if (accepted != reference && !(reference && reader_may_refuse)) std::abort();
  if (accepted && !skipper.error().empty()) std::abort();
  if (!accepted && skipper.error().empty()) std::abort();

  JsonReader walker(text);
  Walk(walker, 64);
  if (walker.Finish() != accepted) std::abort();

  if (accepted) {
    auto dom = nlohmann::json::parse(text);
    if (dom.is_string()) {
      JsonReader r(text);
      std::string s;
      if (!r.ReadString(&s) || s != dom.get<std::string>()) std::abort();
    }
  }
  return 0;
}
