#include "injector/pipeline/private_dir.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace memsecret::injector::pipeline {
namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr long kRamfsMagic = static_cast<long>(0x858458f6);

std::string Errno() { return std::strerror(errno); }

char OctalDigit(unsigned v) { return static_cast<char>('0' + (v & 7)); }

std::string ModeText(mode_t m) {
  return std::string("0") + OctalDigit(m >> 6) + OctalDigit(m >> 3) + OctalDigit(m);
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
      return PrivateDir(*dir, true);
    }
    if (!S_ISDIR(st.st_mode)) return InvalidArgument("--dir " + *dir + ": not a directory");
    if (st.st_uid != ::geteuid())
      return InvalidArgument("--dir " + *dir + ": not private: owned by uid " +
                             std::to_string(st.st_uid) + ", not by this user");
    if ((st.st_mode & 077) != 0)
      return InvalidArgument("--dir " + *dir + ": not private: mode " +
                             ModeText(st.st_mode & 0777) + " (needs 0700: no group/other access)");
    return PrivateDir(*dir, false);
  }
  std::vector<std::string> bases;
  if (auto xdg = env.Get("XDG_RUNTIME_DIR"); xdg && !xdg->empty()) bases.push_back(*xdg);
  bases.push_back("/dev/shm");
  for (const std::string& base : bases) {
    if (!IsMemoryFilesystem(base)) continue;
    std::string templ = base + "/memsecret-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) continue;  // mkdtemp creates it with mode 0700
    return PrivateDir(templ, true);
  }
  return FailedPrecondition(
      "no memory filesystem for the items ($XDG_RUNTIME_DIR and /dev/shm are not a writable "
      "tmpfs): name a private directory with --dir");
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
