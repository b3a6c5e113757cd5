#include "injector/pipeline/private_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace memsecret::injector::pipeline {
namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr long kRamfsMagic = static_cast<long>(0x858458f6);

std::string Errno() { return std::strerror(errno); }

char OctalDigit(unsigned v) { return static_cast<char>('0' + (v & 7)); }

std::string ModeText(mode_t m) {
  return std::string("0") + OctalDigit(m >> 6) + OctalDigit(m >> 3) + OctalDigit(m);
}

constexpr std::string_view kPrefix = "memsecret-";

// The owner pid of "memsecret-<pid>-XXXXXX", or 0 when `name` is not one.
pid_t OwnerPid(std::string_view name) {
  if (!name.starts_with(kPrefix)) return 0;
  name.remove_prefix(kPrefix.size());
  const size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash > 9 || name.size() - dash - 1 != 6)
    return 0;
  pid_t pid = 0;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

bool ProcessIsDead(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// Regular files in `dir_fd`, then the directory `name` in `base_fd`.
bool RemoveFlatDir(int base_fd, int dir_fd, const std::string& name) {
  DIR* d = ::fdopendir(::dup(dir_fd));
  if (d == nullptr) return false;
  std::vector<std::string> files;
  while (dirent* e = ::readdir(d)) {
    std::string entry = e->d_name;
    if (entry == "." || entry == "..") continue;
    struct stat st;
    if (::fstatat(dir_fd, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
      files.push_back(entry);
  }
  ::closedir(d);
  for (const std::string& f : files) ::unlinkat(dir_fd, f.c_str(), 0);
  return ::unlinkat(base_fd, name.c_str(), AT_REMOVEDIR) == 0;
}

}  // namespace

bool IsMemoryFilesystem(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return false;
  const long type = static_cast<long>(fs.f_type);
  return type == kTmpfsMagic || type == kRamfsMagic;
}

Result<PrivateDir> PrivateDir::Create(const std::optional<std::string>& dir,
                                      const Environment& env) {
  if (dir) {
    struct stat st;
    if (::lstat(dir->c_str(), &st) != 0) {
      if (errno != ENOENT) return InvalidArgument("--dir " + *dir + ": " + Errno());
      if (::mkdir(dir->c_str(), 0700) != 0)
        return InvalidArgument("--dir " + *dir + ": cannot create: " + Errno());
      return PrivateDir(*dir, true, UniqueFd());
    }
    if (!S_ISDIR(st.st_mode)) return InvalidArgument("--dir " + *dir + ": not a directory");
    if (st.st_uid != ::geteuid())
      return InvalidArgument("--dir " + *dir + ": not private: owned by uid " +
                             std::to_string(st.st_uid) + ", not by this user");
    if ((st.st_mode & 077) != 0)
      return InvalidArgument("--dir " + *dir + ": not private: mode " +
                             ModeText(st.st_mode & 0777) + " (needs 0700: no group/other access)");
    return PrivateDir(*dir, false, UniqueFd());
  }
  std::vector<std::string> bases;
  if (auto xdg = env.Get("XDG_RUNTIME_DIR"); xdg && !xdg->empty()) bases.push_back(*xdg);
  bases.push_back("/dev/shm");
  for (const std::string& base : bases) {
    if (!IsMemoryFilesystem(base)) continue;
    SweepStaleDirs(base);
    // The owner's pid in the name: a sweep can tell a dead owner's directory.
    std::string templ = base + "/" + std::string(kPrefix) + std::to_string(::getpid()) + "-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) continue;  // mkdtemp creates it with mode 0700
    UniqueFd lock(::open(templ.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!lock.valid() || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      ::rmdir(templ.c_str());
      continue;
    }
    return PrivateDir(templ, true, std::move(lock));
  }
  return FailedPrecondition(
      "no memory filesystem for the items ($XDG_RUNTIME_DIR and /dev/shm are not a writable "
      "tmpfs): name a private directory with --dir");
}

PrivateDir::PrivateDir(PrivateDir&& other) noexcept
    : path_(std::exchange(other.path_, std::string())),
      created_(other.created_),
      lock_(std::move(other.lock_)),
      items_(std::move(other.items_)) {}

PrivateDir::~PrivateDir() {
  if (!path_.empty()) Remove(items_);
}

int SweepStaleDirs(const std::string& base) {
  UniqueFd base_fd(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!base_fd.valid()) return 0;
  DIR* d = ::fdopendir(::dup(base_fd.get()));
  if (d == nullptr) return 0;
  std::vector<std::string> candidates;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = OwnerPid(e->d_name);
    if (pid > 0 && pid != ::getpid() && ProcessIsDead(pid)) candidates.emplace_back(e->d_name);
  }
  ::closedir(d);
  int removed = 0;
  for (const std::string& name : candidates) {
    UniqueFd dir(
        ::openat(base_fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!dir.valid() || ::fstat(dir.get(), &st) != 0) continue;
    if (st.st_uid != ::geteuid() || (st.st_mode & 0777) != 0700) continue;
    if (::flock(dir.get(), LOCK_EX | LOCK_NB) != 0) continue;  // an owner is alive
    if (RemoveFlatDir(base_fd.get(), dir.get(), name)) ++removed;
  }
  return removed;
}

void PrivateDir::Remove(const std::vector<std::string>& items) const {
  if (DIR* d = ::opendir(path_.c_str())) {
    std::vector<std::string> victims;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      bool ours = created_ || std::find(items.begin(), items.end(), name) != items.end();
      if (ours) victims.push_back(name);
    }
    ::closedir(d);
    for (const std::string& name : victims) ::unlink((path_ + "/" + name).c_str());
  }
  if (created_) ::rmdir(path_.c_str());
}

}  // namespace memsecret::injector::pipeline
