// OidcServer: runs tests/oauth/server.mjs (npm's oidc-provider, installed by
// tests/oauth/setup.sh) as a child process on 127.0.0.1 and port 0, reads its
// ready line, and stops it on destruction. Test helper; POSIX only.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace memsecret::oauth_it {

class OidcServer {
 public:
  // `env` adds OAUTH_* settings (see server.mjs). Throws when node cannot be
  // started or does not report ready within 120 s (a hang guard: node starts
  // slowly on a loaded machine).
  explicit OidcServer(const std::map<std::string, std::string>& env) {
    const std::string dir = MEMSECRET_OAUTH_TEST_DIR;
    if (access((dir + "/node_modules/oidc-provider").c_str(), F_OK) != 0) {
      throw std::runtime_error("oidc-provider is not installed: run " + dir + "/setup.sh");
    }
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      // oidc-provider's development warnings are noise in test output.
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, STDERR_FILENO);
      if (chdir(dir.c_str()) != 0) _exit(126);
      execlp("node", "node", "server.mjs", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{out[0], POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[512];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    auto ready = nlohmann::json::parse(line, nullptr, false);
    if (!ready.is_object() || !ready.contains("token_endpoint")) {
      Stop();
      throw std::runtime_error("oidc-provider did not start (is node >= 20 on PATH?)");
    }
    token_endpoint_ = ready["token_endpoint"];
    introspection_endpoint_ = ready["introspection_endpoint"];
  }
  ~OidcServer() { Stop(); }
  OidcServer(const OidcServer&) = delete;
  OidcServer& operator=(const OidcServer&) = delete;

  const std::string& token_endpoint() const { return token_endpoint_; }
  const std::string& introspection_endpoint() const { return introspection_endpoint_; }

 private:
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100'000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  pid_t pid_ = -1;
  std::string token_endpoint_, introspection_endpoint_;
};

}  // namespace memsecret::oauth_it
