// Status and Result<T>: errors as values at module boundaries.
// A Status carries a code and a human message with context; callers branch on
// the code, never on the text. Messages must never contain secret values.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace memsecret {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // malformed input (annotation, ref, JSON, config)
  kPermissionDenied,    // policy or backend refused (403-style)
  kNotFound,            // secret/version/field does not exist
  kUnauthenticated,     // credentials rejected (401, invalid_client, expired token)
  kUnavailable,         // backend unreachable, 5xx, sealed: retryable
  kResourceExhausted,   // throttled (429) or disk full: retryable
  kDeadlineExceeded,    // timed out: retryable
  kFailedPrecondition,  // state prevents the operation (e.g. version destroyed)
  kInternal,            // bug or unexpected condition
};

const char* CodeName(Code code);

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code>: <message>", or "ok".
  std::string ToString() const;

  // Retryable errors are worth another attempt after backoff.
  bool retryable() const {
    return code_ == Code::kUnavailable || code_ == Code::kResourceExhausted ||
           code_ == Code::kDeadlineExceeded;
  }

  // Prefix the message with context: "policy: " + message.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status PermissionDenied(std::string m) {
  return Status(Code::kPermissionDenied, std::move(m));
}
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status Unauthenticated(std::string m) {
  return Status(Code::kUnauthenticated, std::move(m));
}
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
inline Status ResourceExhausted(std::string m) {
  return Status(Code::kResourceExhausted, std::move(m));
}
inline Status DeadlineExceeded(std::string m) {
  return Status(Code::kDeadlineExceeded, std::move(m));
}
inline Status FailedPrecondition(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(implicit)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(implicit); must be non-OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace memsecret
