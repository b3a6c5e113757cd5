// PythonFakeProcess: runs one of the python loopback fakes in tests/fakes
// (fake_aws.py, vault_fake.py, azure_fake.py) as a child process for the
// duration of a test, reads "PORT <n>" from its stdout, and talks to its
// /_control endpoint. The child is killed (by pid) on destruction. Test
// helper; throws on setup failure. fake_aws.h wraps it for the AWS fake.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "injector/base/http_client.h"

#ifndef MEMSECRET_FAKES_DIR
#error "MEMSECRET_FAKES_DIR must point at tests/fakes"
#endif

namespace memsecret::testing {

class PythonFakeProcess {
 public:
  // `script` is a file name in tests/fakes; `args` are passed through. With
  // `ca_file` set the fake is expected to speak https with that trust.
  explicit PythonFakeProcess(const std::string& script, std::vector<std::string> args = {},
                             std::string ca_file = "")
      : scheme_(ca_file.empty() ? "http" : "https") {
    http_ = MakeHttpClient(TlsOptions{ca_file, "", false});
    std::string path = std::string(MEMSECRET_FAKES_DIR) + "/" + script;
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv{const_cast<char*>("python3"), path.data()};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      // Prefer the Debian interpreter that python3-botocore is installed for.
      if (::access("/usr/bin/python3", X_OK) == 0) ::execv("/usr/bin/python3", argv.data());
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    int port = 0;
    if (f == nullptr || std::fscanf(f, "PORT %d", &port) != 1) {
      if (f) std::fclose(f);
      Kill();
      throw std::runtime_error(script +
                               " did not start (are python3 and the modules it imports installed?"
                               " fake_aws.py needs python3-botocore)");
    }
    std::fclose(f);
    port_ = port;
  }
  ~PythonFakeProcess() { Kill(); }
  PythonFakeProcess(const PythonFakeProcess&) = delete;
  PythonFakeProcess& operator=(const PythonFakeProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }

  // Sends one control command and returns the fake's JSON answer.
  nlohmann::json Control(const nlohmann::json& cmd) {
    HttpRequest req;
    req.method = "POST";
    req.url = url() + "/_control";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = cmd.dump();
    auto r = http_->Send(req);
    if (!r.ok() || r->status != 200)
      throw std::runtime_error("fake control failed: " + cmd.value("op", ""));
    return nlohmann::json::parse(r->body);
  }

  nlohmann::json Stats() {
    auto r = http_->Send(HttpRequest{"GET", url() + "/_control/stats", {}, ""});
    if (!r.ok() || r->status != 200) throw std::runtime_error("fake stats failed");
    return nlohmann::json::parse(r->body);
  }

 private:
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  std::string scheme_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace memsecret::testing
