#include "injector/ready_marker_wait.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "injector/runtime/atomic_file_writer.h"
#include "memsecret/unique_fd.h"

namespace memsecret::injector {

Result<bool> WaitForReadyMarker(const std::string& dir, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  UniqueFd fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!fd) return Internal(std::string("inotify_init1: ") + std::strerror(errno));
  // Watch first, then look: a marker written in between is seen either way.
  if (::inotify_add_watch(fd.get(), dir.c_str(), IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE) < 0)
    return Unavailable("watch " + dir + ": " + std::strerror(errno));
  alignas(inotify_event) char buf[4096];
  while (true) {
    if (AtomicFileWriter::ReadyMarkerExists(dir)) return true;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (n < 0 && errno != EINTR) return Internal(std::string("poll: ") + std::strerror(errno));
    // Drain the events; the loop re-checks the marker itself.
    while (n > 0 && ::read(fd.get(), buf, sizeof(buf)) > 0) {
    }
  }
}

}  // namespace memsecret::injector
