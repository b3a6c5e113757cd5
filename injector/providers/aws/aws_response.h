// Small wire-format helpers shared by the AWS clients (STS, Pod Identity,
// Secrets Manager): error-code normalisation, ISO 8601 timestamps,
// Retry-After, minimal XML element extraction. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "injector/base/remote_text.h"
#include "injector/base/retry_after.h"  // ParseRetryAfter, shared by every backend
#include "memsecret/clock.h"
#include "memsecret/status.h"

namespace memsecret::injector::aws {

// aws-smithy sanitize_error_code: drop everything before '#' and after ':'.
// "aws.protocoltests#FooError:http://x" -> "FooError".
std::string SanitizeErrorCode(std::string_view code);

// Text of the first <tag>...</tag> element (entities &amp; &lt; &gt; &quot;
// &apos; decoded); nullopt when absent. Enough for STS's fixed responses.
std::optional<std::string> XmlElementText(std::string_view xml, std::string_view tag);

// CleanRemoteText (injector/base/remote_text.h) cleans every server-sent text.
using injector::CleanRemoteText;

}  // namespace memsecret::injector::aws
