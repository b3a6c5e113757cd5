// PrivateDir: the directory `exec` writes its items into and exports to
// COMMAND as MEMSECRET_DIR.
//  - default: a fresh directory (mkdtemp, mode 0700) on a memory filesystem:
//    $XDG_RUNTIME_DIR when it is tmpfs/ramfs, else /dev/shm; neither -> an
//    error that suggests --dir (secrets never land on a disk by default);
//  - --dir DIR: created with mode 0700 when absent; an existing DIR must be a
//    directory owned by this user with no group/other permission bits (it may
//    be on disk: the user chose it).
// Remove() deletes what exec wrote and the directory itself when exec
// created it; the destructor does the same for the items named by Track(),
// so every return of a command (a handled signal is a return too) removes it.
// A fresh directory is named memsecret-<pid>-XXXXXX and held under flock(2)
// for the object's life; before creating one, Create() sweeps the base of the
// stale directories of dead owners (SweepStaleDirs). Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "injector/base/environment.h"
#include "memsecret/status.h"
#include "memsecret/unique_fd.h"

namespace memsecret::injector::pipeline {

class PrivateDir {
 public:
  // `dir` is --dir (absolute), or nullopt for the memory-filesystem default.
  static Result<PrivateDir> Create(const std::optional<std::string>& dir, const Environment& env);

  PrivateDir(PrivateDir&& other) noexcept;
  PrivateDir& operator=(PrivateDir&&) = delete;
  ~PrivateDir();

  const std::string& path() const { return path_; }
  bool created() const { return created_; }

  // The item files the destructor removes (with the directory when created()).
  void Track(std::vector<std::string> items) { items_ = std::move(items); }

  // Removes the files named in `items`; when created(), every entry and then
  // the directory (in a user's own --dir, temp files and the readiness marker
  // are the AtomicFileWriter's to remove). Best effort at exit.
  void Remove(const std::vector<std::string>& items) const;

 private:
  PrivateDir(std::string path, bool created, UniqueFd lock)
      : path_(std::move(path)), created_(created), lock_(std::move(lock)) {}
  std::string path_;  // empty once moved from
  bool created_ = false;
  UniqueFd lock_;  // the directory, under LOCK_EX while this process owns it
  std::vector<std::string> items_;
};

// Removes from `base` every directory memsecret-<pid>-XXXXXX that belongs to
// a dead process: <pid> does not exist, nobody holds its flock (an owner in
// another pid namespace does), it is a real directory (not a symlink) owned
// by this user with mode 0700. Only the regular files in it and the directory
// itself are removed; anything else keeps it. Returns how many were removed.
int SweepStaleDirs(const std::string& base);

// True when `path` is on tmpfs or ramfs (statfs).
bool IsMemoryFilesystem(const std::string& path);

}  // namespace memsecret::injector::pipeline
