// SecretValue: the only type that holds secret material (secret values,
// client secrets, access tokens). It cannot be streamed or formatted (no
// operator<<, no fmt formatter), its bytes are read only through Reveal(),
// and its buffer is wiped on destruction and on move-from.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace memsecret {

// Overwrites the string's bytes (not optimised away) and clears it.
void SecureWipe(std::string& s);

class SecretValue {
 public:
  SecretValue() = default;
  explicit SecretValue(std::string value) : value_(std::move(value)) {}
  SecretValue(const SecretValue& other) = default;
  SecretValue& operator=(const SecretValue& other) {
    if (this != &other) {
      SecureWipe(value_);
      value_ = other.value_;
    }
    return *this;
  }
  SecretValue(SecretValue&& other) noexcept : value_(std::move(other.value_)) {
    SecureWipe(other.value_);
  }
  SecretValue& operator=(SecretValue&& other) noexcept {
    if (this != &other) {
      SecureWipe(value_);
      value_ = std::move(other.value_);
      SecureWipe(other.value_);
    }
    return *this;
  }
  ~SecretValue() { SecureWipe(value_); }

  // The bytes. Callers must not copy them into logs, errors or audit lines.
  std::string_view Reveal() const { return value_; }
  size_t size() const { return value_.size(); }
  bool empty() const { return value_.empty(); }
  bool operator==(const SecretValue& o) const { return value_ == o.value_; }

 private:
  std::string value_;
};

// Deliberately no operator<<: `std::cout << secret` does not compile.
template <typename Stream>
Stream& operator<<(Stream&, const SecretValue&) = delete;

}  // namespace memsecret
