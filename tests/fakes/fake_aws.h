// FakeAwsProcess: runs tests/fakes/fake_aws.py (a loopback fake of Secrets
// Manager, STS and the Pod Identity agent that verifies SigV4 with botocore)
// as a child process for the duration of a test, and talks to its /_control
// endpoint. The child is killed (by pid) on destruction.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "memsecret/http_client.h"

#ifndef MEMSECRET_FAKES_DIR
#error "MEMSECRET_FAKES_DIR must point at tests/fakes"
#endif

namespace memsecret::testing {

class FakeAwsProcess {
 public:
  FakeAwsProcess() {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      const char* script = MEMSECRET_FAKES_DIR "/fake_aws.py";
      // Prefer the Debian interpreter that python3-botocore is installed for.
      if (::access("/usr/bin/python3", X_OK) == 0)
        ::execl("/usr/bin/python3", "python3", script, nullptr);
      ::execlp("python3", "python3", script, static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    int port = 0;
    if (f == nullptr || std::fscanf(f, "PORT %d", &port) != 1) {
      if (f) std::fclose(f);
      Kill();
      throw std::runtime_error("fake_aws.py did not start (is python3-botocore installed?)");
    }
    std::fclose(f);
    port_ = port;
  }
  ~FakeAwsProcess() { Kill(); }
  FakeAwsProcess(const FakeAwsProcess&) = delete;
  FakeAwsProcess& operator=(const FakeAwsProcess&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Sends one control command; throws on failure (test setup error).
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
    auto r = http_->Send(HttpRequest{"GET", url() + "/_control/stats"});
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

  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<HttpClient> http_ = MakeHttpClient();
};

}  // namespace memsecret::testing
