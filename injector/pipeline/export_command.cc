// export --github-env: masks on stdout, variables appended to $GITHUB_ENV.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include "injector/pipeline/github_env.h"
#include "injector/pipeline/item_values.h"
#include "injector/pipeline/once_session.h"
#include "injector/pipeline/pipeline_commands.h"
#include "memsecret/unique_fd.h"

namespace memsecret::injector::pipeline {
namespace {

std::optional<char> LastByte(int fd) {
  struct stat st;
  char c = 0;
  if (::fstat(fd, &st) != 0 || st.st_size == 0 || ::pread(fd, &c, 1, st.st_size - 1) != 1)
    return std::nullopt;
  return c;
}

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

int ExportCommand(const std::string& prog, const std::vector<std::string>& args,
                  const Environment& env) {
  // Checked first: without it nothing may be fetched.
  const std::string github_env = env.GetOr("GITHUB_ENV");
  if (github_env.empty()) {
    std::vector<std::string> problems;
    ParsePipelineArgs(PipelineCommand::kExport, args, &problems);
    for (const auto& p : problems) PrintError(prog, PipelineCommand::kExport, p);
    PrintError(prog, PipelineCommand::kExport,
               "GITHUB_ENV is not set (export --github-env runs inside a GitHub Actions step)");
    return 2;
  }
  return RunOnce(
      prog, PipelineCommand::kExport, args, env,
      [&](const PipelineArgs& a, const std::string& dir) {
        std::string masks, entries;
        const DelimiterSource delimiters = RandomDelimiters();
        for (const EnvBinding& b : a.env) {
          auto value = ReadItemValue(dir, b.source);
          if (!value.ok()) {
            PrintError(prog, PipelineCommand::kExport,
                       "--env " + b.var + ": " + value.status().message());
            SecureWipe(masks);
            SecureWipe(entries);
            return 1;
          }
          masks += MaskCommands(value->Reveal());
          auto entry = GithubEnvEntry(b.var, value->Reveal(), delimiters);
          if (!entry.ok()) {
            PrintError(prog, PipelineCommand::kExport, entry.status().message());
            return 1;
          }
          entries += *entry;
          SecureWipe(*entry);
        }
        // Masks first, so GitHub hides the values before any later step prints them.
        std::fwrite(masks.data(), 1, masks.size(), stdout);
        std::fflush(stdout);
        SecureWipe(masks);
        UniqueFd fd(::open(github_env.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        if (!fd.valid()) {
          SecureWipe(entries);
          PrintError(prog, PipelineCommand::kExport,
                     "GITHUB_ENV " + github_env + ": " + std::strerror(errno));
          return 1;
        }
        // An earlier step may have left "FOO=bar" without its newline: the
        // newline goes first, in its own write (no copy of the values).
        const std::string prefix = GithubEnvPrefix(LastByte(fd.get()));
        for (std::string_view text : {std::string_view(prefix), std::string_view(entries)}) {
          if (!WriteAll(fd.get(), text)) {
            SecureWipe(entries);
            PrintError(prog, PipelineCommand::kExport,
                       "GITHUB_ENV " + github_env + ": write failed");
            return 1;
          }
        }
        SecureWipe(entries);
        return 0;
      });
}

}  // namespace memsecret::injector::pipeline
