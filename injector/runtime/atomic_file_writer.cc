#include "injector/runtime/atomic_file_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "memsecret/plan/injection_plan.h"
#include "memsecret/unique_fd.h"

namespace memsecret::injector {

namespace {

constexpr const char* kTempInfix = ".tmp-";

Status ErrnoStatus(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return ResourceExhausted(msg);
  return Internal(msg);
}

// True when dir/name is a regular file with exactly `bytes` and `mode`.
bool AlreadyHolds(const std::string& path, std::string_view bytes, uint32_t mode) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return false;
  struct stat st;
  bool same = ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
              (st.st_mode & 07777) == (mode & 07777) &&
              static_cast<size_t>(st.st_size) == bytes.size();
  if (same) {
    std::string existing(bytes.size(), '\0');
    size_t got = 0;
    while (got < existing.size()) {
      ssize_t n = ::read(fd.get(), existing.data() + got, existing.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    char extra;
    same = got == bytes.size() && ::read(fd.get(), &extra, 1) == 0 &&
           std::string_view(existing) == bytes;
    SecureWipe(existing);
  }
  return same;
}

std::string RandomSuffix() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ counter.fetch_add(1);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<WriteOutcome> AtomicFileWriter::Write(std::string_view name, const SecretValue& content,
                                             uint32_t mode) {
  if (!IsValidFileName(name))
    return InvalidArgument("invalid output file name \"" + std::string(name) + "\"");
  return WriteBytes(std::string(name), content.Reveal(), mode);
}

Result<WriteOutcome> AtomicFileWriter::WriteDotFile(std::string_view dot_name,
                                                    const SecretValue& content, uint32_t mode) {
  if (dot_name.size() < 2 || dot_name[0] != '.' || !IsValidFileName(dot_name.substr(1)))
    return InvalidArgument("invalid dot-file name \"" + std::string(dot_name) + "\"");
  return WriteBytes(std::string(dot_name), content.Reveal(), mode);
}

Status AtomicFileWriter::WriteReadyMarker() {
  auto r = WriteBytes(kReadyMarker, std::to_string(::getpid()) + "\n", 0444);
  return r.ok() ? Status::Ok() : r.status();
}

Status AtomicFileWriter::RemoveReadyMarker() {
  const std::string path = dir_ + "/" + kReadyMarker;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove " + path, errno);
  return Status::Ok();
}

bool AtomicFileWriter::ReadyMarkerExists(const std::string& dir) {
  struct stat st;
  return ::lstat((dir + "/" + kReadyMarker).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<WriteOutcome> AtomicFileWriter::WriteBytes(const std::string& name, std::string_view bytes,
                                                  uint32_t mode) {
  const std::string path = dir_ + "/" + name;
  if (AlreadyHolds(path, bytes, mode)) return WriteOutcome::kUnchanged;

  const std::string temp = dir_ + "/." + name + kTempInfix + RandomSuffix();
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return ErrnoStatus("create temp file for " + path, errno);
  auto fail = [&](const std::string& what, int err) -> Result<WriteOutcome> {
    fd.Reset();
    ::unlink(temp.c_str());
    return ErrnoStatus(what + " " + path, err);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode & 07777) != 0) return fail("chmod", errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) return fail("sync", errno);
  if (fd.Close() != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return ErrnoStatus("close " + path, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return ErrnoStatus("rename into " + path, err);
  }
  return WriteOutcome::kWritten;
}

int AtomicFileWriter::RemoveStaleTempFiles() {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return 0;
  int removed = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n.size() > 1 && n[0] == '.' && n.find(kTempInfix) != std::string_view::npos &&
        ::unlink((dir_ + "/" + std::string(n)).c_str()) == 0) {
      ++removed;
    }
  }
  ::closedir(d);
  return removed;
}

}  // namespace memsecret::injector
