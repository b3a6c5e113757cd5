// The Lambda Runtime API (version 2018-06-01), as a custom runtime speaks it
// over plain HTTP to the address in AWS_LAMBDA_RUNTIME_API (host:port, a
// loopback address inside Lambda):
//   GET  /2018-06-01/runtime/invocation/next          -> the event (body) and
//        Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn,
//        -Trace-Id headers; blocks until an invocation arrives, so it has no
//        timeout (the environment is frozen between invocations);
//   POST /2018-06-01/runtime/invocation/{id}/response -> 202
//   POST /2018-06-01/runtime/invocation/{id}/error    -> 202; body
//        {"errorMessage","errorType","stackTrace":[]} and the header
//        Lambda-Runtime-Function-Error-Type: <errorType>;
//   POST /2018-06-01/runtime/init/error               -> 202, then exit.
// Parsing and encoding are pure functions; HttpRuntimeApi is the effect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "injector/base/http_client.h"
#include "memsecret/status.h"

namespace memsecret::injector::lambda {

struct Invocation {
  std::string request_id;              // Lambda-Runtime-Aws-Request-Id
  std::optional<int64_t> deadline_ms;  // Lambda-Runtime-Deadline-Ms (Unix time, ms)
  std::string function_arn;            // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;                // Lambda-Runtime-Trace-Id
  std::string payload;                 // the event document
};

// What an invocation that failed reports. `message` must hold no secret.
struct FunctionError {
  std::string type;  // e.g. "Rotation.InvalidEvent"
  std::string message;
};

// The runtime API's base URL, "http://<host:port>/2018-06-01/runtime", from
// AWS_LAMBDA_RUNTIME_API. kInvalidArgument for an empty value or one that is
// not a host[:port] (a path, a scheme, spaces).
Result<std::string> RuntimeApiBase(std::string_view host_port);

// A request id is put into a URL path: kInvalidArgument unless it is 1-128
// characters of [A-Za-z0-9-] (Lambda's are UUIDs).
Status CheckRequestId(std::string_view id);

// The answer to GET .../invocation/next. kUnavailable for a status other
// than 200; kInvalidArgument when the request id header is missing or
// malformed (a deadline that is not a number is ignored).
Result<Invocation> ParseNextInvocation(const HttpResponse& response);

// {"errorMessage":..,"errorType":..,"stackTrace":[]}
std::string EncodeFunctionError(const FunctionError& error);

// The four calls a runtime makes (a fake in tests).
class RuntimeApi {
 public:
  virtual ~RuntimeApi() = default;
  virtual Result<Invocation> Next() = 0;
  virtual Status Respond(const std::string& request_id, const std::string& body) = 0;
  virtual Status Fail(const std::string& request_id, const FunctionError& error) = 0;
  virtual Status InitError(const FunctionError& error) = 0;
};

// Posts' results: OK for 202 (any 2xx); kInvalidArgument for 400/413 (the
// runtime API refused this answer: go on with the next invocation);
// kFailedPrecondition for 403 (the invocation is not this runtime's any
// more); kUnavailable for 5xx and transport failures (the container is in a
// state the runtime cannot recover from: exit).
class HttpRuntimeApi final : public RuntimeApi {
 public:
  // `base` from RuntimeApiBase; `http` must outlive this object.
  HttpRuntimeApi(std::string base, HttpClient* http) : base_(std::move(base)), http_(http) {}

  Result<Invocation> Next() override;
  Status Respond(const std::string& request_id, const std::string& body) override;
  Status Fail(const std::string& request_id, const FunctionError& error) override;
  Status InitError(const FunctionError& error) override;

 private:
  Status Post(const std::string& path, std::string body, const std::string& error_type);

  std::string base_;
  HttpClient* http_;
};

}  // namespace memsecret::injector::lambda
