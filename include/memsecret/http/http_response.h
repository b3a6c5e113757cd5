// HttpResponse and its wire form. A response is serialized into one buffer
// (status line, headers, body) so that it leaves in one SSL_write: one TLS
// record and one syscall for the answers the webhook gives.
#pragma once

#include <string>
#include <string_view>

namespace memsecret::http {

inline constexpr std::string_view kContentTypeJson = "application/json";
inline constexpr std::string_view kContentTypeText = "text/plain; charset=utf-8";

struct HttpResponse {
  int status = 200;
  std::string_view content_type = kContentTypeText;  // static storage
  std::string body;
  std::string_view allow;  // the Allow header of a 405 (static storage); empty: none
};

// A short text answer: "<reason>\n".
HttpResponse TextResponse(int status, std::string_view reason);

// The standard reason phrase of `status` ("Not Found"); "Unknown" otherwise.
std::string_view ReasonPhrase(int status);

struct ResponseFraming {
  bool head_only = false;          // HEAD: headers as for GET, no body
  bool close = false;              // "Connection: close"; the server closes after it
  bool keep_alive_http10 = false;  // "Connection: keep-alive" for an HTTP/1.0 client
};

// Appends the serialized response to `out`.
void AppendResponse(const HttpResponse& response, ResponseFraming framing, std::string* out);

// The interim answer to "Expect: 100-continue".
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace memsecret::http
