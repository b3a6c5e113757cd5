#include "injector/lambda/runtime_api.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "memsecret/json_writer.h"

namespace memsecret::injector::lambda {
namespace {

// GET .../next blocks until Lambda has an event; between invocations the
// process is frozen. The client needs some bound: a day, after which the
// loop simply asks again.
constexpr std::chrono::milliseconds kNextTimeout = std::chrono::hours(24);
// Posting an answer to the local runtime API is quick.
constexpr std::chrono::milliseconds kPostTimeout = std::chrono::seconds(10);

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

Result<std::string> RuntimeApiBase(std::string_view host_port) {
  const bool ok = !host_port.empty() && host_port.size() <= 255 &&
                  std::all_of(host_port.begin(), host_port.end(), [](char c) {
                    return IsIdChar(c) || c == '.' || c == ':' || c == '[' || c == ']';
                  });
  if (!ok)
    return InvalidArgument(
        "AWS_LAMBDA_RUNTIME_API must be host:port (as Lambda sets it, e.g. 127.0.0.1:9001)");
  return "http://" + std::string(host_port) + "/2018-06-01/runtime";
}

Status CheckRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128 || !std::all_of(id.begin(), id.end(), IsIdChar))
    return InvalidArgument("runtime API: the request id is not 1-128 characters of [A-Za-z0-9-]");
  return Status::Ok();
}

Result<Invocation> ParseNextInvocation(const HttpResponse& response) {
  if (response.status != 200)
    return Unavailable("runtime API: next invocation answered HTTP " +
                       std::to_string(response.status));
  Invocation inv;
  auto id = response.Header("Lambda-Runtime-Aws-Request-Id");
  if (!id) return InvalidArgument("runtime API: next invocation without a request id");
  if (Status st = CheckRequestId(*id); !st.ok()) return st;
  inv.request_id = *id;
  if (auto d = response.Header("Lambda-Runtime-Deadline-Ms")) {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(d->data(), d->data() + d->size(), ms);
    if (ec == std::errc() && end == d->data() + d->size() && ms > 0) inv.deadline_ms = ms;
  }
  inv.function_arn = response.Header("Lambda-Runtime-Invoked-Function-Arn").value_or("");
  inv.trace_id = response.Header("Lambda-Runtime-Trace-Id").value_or("");
  inv.payload = response.body;
  return inv;
}

std::string EncodeFunctionError(const FunctionError& error) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Member("errorMessage", error.message)
      .Member("errorType", error.type)
      .Key("stackTrace")
      .BeginArray()
      .EndArray()
      .EndObject();
  return out;
}

Result<Invocation> HttpRuntimeApi::Next() {
  HttpRequest req;
  req.method = "GET";
  req.url = base_ + "/invocation/next";
  req.timeout = kNextTimeout;
  auto res = http_->Send(req);
  if (!res.ok()) return res.status().WithContext("runtime API: next invocation");
  return ParseNextInvocation(*res);
}

Status HttpRuntimeApi::Post(const std::string& path, std::string body,
                            const std::string& error_type) {
  HttpRequest req;
  req.method = "POST";
  req.url = base_ + path;
  req.body = std::move(body);
  req.timeout = kPostTimeout;
  req.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty())
    req.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  auto res = http_->Send(req);
  if (!res.ok()) return res.status().WithContext("runtime API: POST " + path);
  const std::string what =
      "runtime API: POST " + path + " answered HTTP " + std::to_string(res->status);
  if (res->status >= 200 && res->status < 300) return Status::Ok();
  if (res->status == 403) return FailedPrecondition(what);
  if (res->status >= 400 && res->status < 500) return InvalidArgument(what);
  return Unavailable(what);
}

Status HttpRuntimeApi::Respond(const std::string& request_id, const std::string& body) {
  if (Status st = CheckRequestId(request_id); !st.ok()) return st;
  return Post("/invocation/" + request_id + "/response", body, "");
}

Status HttpRuntimeApi::Fail(const std::string& request_id, const FunctionError& error) {
  if (Status st = CheckRequestId(request_id); !st.ok()) return st;
  return Post("/invocation/" + request_id + "/error", EncodeFunctionError(error), error.type);
}

Status HttpRuntimeApi::InitError(const FunctionError& error) {
  return Post("/init/error", EncodeFunctionError(error), error.type);
}

}  // namespace memsecret::injector::lambda
