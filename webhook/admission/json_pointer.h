// RFC 6901 JSON Pointer construction for JSON Patch paths.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace memsecret::webhook {

// Escapes one reference token: '~' -> "~0" first, then '/' -> "~1".
std::string EscapePointerToken(std::string_view token);

// Joins escaped tokens: {"metadata","annotations","memsecret.io/status"} ->
// "/metadata/annotations/memsecret.io~1status". Numbers and "-" pass through.
std::string Pointer(std::initializer_list<std::string_view> tokens);

}  // namespace memsecret::webhook
