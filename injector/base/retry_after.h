// Retry-After (RFC 9110 §10.2.3) as sent by every backend the injector talks
// to: delay-seconds or an HTTP-date. One parser for AWS, Vault, Azure and the
// OAuth issuers.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "injector/base/http_client.h"
#include "memsecret/clock.h"

namespace memsecret::injector {

// Longest wait a server can ask for; larger values are clamped to it.
inline constexpr std::chrono::seconds kMaxRetryAfter{3600};

// The delay a Retry-After value asks for, measured from `now` (a past date is
// 0 s), at most kMaxRetryAfter. nullopt for anything else, including dates
// outside what WallTime can hold.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, WallTime now);
// The same for a response's Retry-After header; nullopt when it has none.
std::optional<std::chrono::seconds> ParseRetryAfter(const HttpResponse& response, WallTime now);

}  // namespace memsecret::injector
