// PrivateDir: the directory `exec` writes its items into and exports to
// COMMAND as MEMSECRET_DIR.
//  - default: a fresh directory (mkdtemp, mode 0700) on a memory filesystem:
//    $XDG_RUNTIME_DIR when it is tmpfs/ramfs, else /dev/shm; neither -> an
//    error that suggests --dir (secrets never land on a disk by default);
//  - --dir DIR: created with mode 0700 when absent; an existing DIR must be a
//    directory owned by this user with no group/other permission bits (it may
//    be on disk: the user chose it).
// Remove() deletes what exec wrote and the directory itself when exec
// created it. Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "injector/wire/environment.h"
#include "memsecret/status.h"

namespace memsecret::injector::pipeline {

class PrivateDir {
 public:
  // `dir` is --dir (absolute), or nullopt for the memory-filesystem default.
  static Result<PrivateDir> Create(const std::optional<std::string>& dir, const Environment& env);

  const std::string& path() const { return path_; }
  bool created() const { return created_; }

  // Removes the files named in `items`; when created(), every entry and then
  // the directory (in a user's own --dir, temp files and the readiness marker
  // are the AtomicFileWriter's to remove). Best effort at exit.
  void Remove(const std::vector<std::string>& items) const;

 private:
  PrivateDir(std::string path, bool created) : path_(std::move(path)), created_(created) {}
  std::string path_;
  bool created_ = false;
};

// True when `path` is on tmpfs or ramfs (statfs).
bool IsMemoryFilesystem(const std::string& path);

}  // namespace memsecret::injector::pipeline
