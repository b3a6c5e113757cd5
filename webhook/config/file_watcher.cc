#include "webhook/config/file_watcher.h"

#include <sys/stat.h>

#include <utility>

namespace memsecret::webhook {
namespace {

std::vector<FileFingerprint> FingerprintAll(const std::vector<std::string>& paths) {
  std::vector<FileFingerprint> out;
  out.reserve(paths.size());
  for (const auto& p : paths) out.push_back(Fingerprint(p));
  return out;
}

}  // namespace

FileFingerprint Fingerprint(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return FileFingerprint{};
  FileFingerprint f;
  f.exists = true;
  f.device = static_cast<uint64_t>(st.st_dev);
  f.inode = static_cast<uint64_t>(st.st_ino);
  f.size = static_cast<int64_t>(st.st_size);
  f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return f;
}

FileWatcher::FileWatcher(std::chrono::milliseconds interval) : interval_(interval) {}

FileWatcher::~FileWatcher() { Stop(); }

void FileWatcher::Watch(std::vector<std::string> paths, std::function<void()> on_change) {
  Group g;
  g.reported = FingerprintAll(paths);
  g.previous = g.reported;
  g.paths = std::move(paths);
  g.on_change = std::move(on_change);
  groups_.push_back(std::move(g));
}

void FileWatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void FileWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileWatcher::PollOnce() {
  for (Group& g : groups_) {
    std::vector<FileFingerprint> now = FingerprintAll(g.paths);
    const bool settled = now == g.previous;
    g.previous = now;
    if (settled && now != g.reported) {
      g.reported = std::move(now);
      g.on_change();
    }
  }
}

void FileWatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

}  // namespace memsecret::webhook
