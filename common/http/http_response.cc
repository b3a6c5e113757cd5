#include "memsecret/http/http_response.h"

#include <charconv>

namespace memsecret::http {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

HttpResponse TextResponse(int status, std::string_view reason) {
  HttpResponse r;
  r.status = status;
  r.body.reserve(reason.size() + 1);
  r.body.append(reason).push_back('\n');
  return r;
}

namespace {

void AppendNumber(size_t n, std::string* out) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out->append(digits, end);
}

}  // namespace

void AppendResponse(const HttpResponse& response, ResponseFraming framing, std::string* out) {
  const std::string_view reason = ReasonPhrase(response.status);
  out->reserve(out->size() + 160 + response.body.size());
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<size_t>(response.status), out);
  out->append(" ").append(reason).append("\r\nContent-Type: ").append(response.content_type);
  out->append("\r\nContent-Length: ");
  AppendNumber(response.body.size(), out);
  out->append("\r\n");
  if (!response.allow.empty()) out->append("Allow: ").append(response.allow).append("\r\n");
  if (framing.close) {
    out->append("Connection: close\r\n");
  } else if (framing.keep_alive_http10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  if (!framing.head_only) out->append(response.body);
}

}  // namespace memsecret::http
