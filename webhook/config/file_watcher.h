// FileWatcher: polls groups of files and calls back when one of them changes.
// A change is a difference in what stat() reports (device, inode, size,
// mtime) — stat follows symlinks, so kubelet's ConfigMap/Secret updates,
// which swap a `..data` symlink, are seen as a new inode. A missing file is a
// state of its own (its disappearance and reappearance are changes).
//
// Changes are debounced by one poll: a callback runs once a group's
// fingerprint differs from the last reported one and has been stable for one
// whole interval, so a writer that replaces cert then key, or writes a file
// in several steps, is read once, after it finished.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace memsecret::webhook {

// What stat() says about one path; equal fingerprints mean "unchanged".
struct FileFingerprint {
  bool exists = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileFingerprint&) const = default;
};
FileFingerprint Fingerprint(const std::string& path);

class FileWatcher {
 public:
  explicit FileWatcher(std::chrono::milliseconds interval);
  ~FileWatcher();  // Stop()s
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Watches `paths` as one group: `on_change` runs once per settled change of
  // any of them, on the polling thread (or the PollOnce caller). The current
  // state is the baseline. Call before Start().
  void Watch(std::vector<std::string> paths, std::function<void()> on_change);

  // Starts the background polling thread. Call at most once.
  void Start();
  // Stops and joins the thread; returns promptly (does not wait an interval).
  // Idempotent. A callback that is running finishes first.
  void Stop();

  // One poll of every group, on the calling thread; for tests that drive the
  // watcher without its thread. Not to be mixed with Start().
  void PollOnce();

 private:
  struct Group {
    std::vector<std::string> paths;
    std::function<void()> on_change;
    std::vector<FileFingerprint> reported;  // state at the last callback (or baseline)
    std::vector<FileFingerprint> previous;  // state at the previous poll
  };
  void Loop();

  const std::chrono::milliseconds interval_;
  std::vector<Group> groups_;  // fixed after Start(); touched only by the polling thread
  std::thread thread_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace memsecret::webhook
