#include "injector/base/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "memsecret/unique_fd.h"

namespace memsecret::injector {

Result<SecretValue> ReadSecretFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    std::string msg = "cannot read " + path + ": " + std::strerror(err);
    return err == ENOENT ? NotFound(msg) : Unavailable(msg);
  }
  std::string buf;
  buf.reserve(4096);
  char chunk[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      SecureWipe(buf);
      return Unavailable("cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    if (buf.size() + static_cast<size_t>(n) > max_bytes) {
      SecureWipe(buf);
      std::memset(chunk, 0, sizeof chunk);
      return InvalidArgument(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  fd.Reset();
  std::memset(chunk, 0, sizeof chunk);
  if (!buf.empty() && buf.back() == '\n') buf.pop_back();
  if (!buf.empty() && buf.back() == '\r') buf.pop_back();
  if (buf.empty()) return InvalidArgument(path + " is empty");
  return SecretValue(std::move(buf));
}

}  // namespace memsecret::injector
