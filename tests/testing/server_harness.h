// ServerHarness: a WebhookServer on 127.0.0.1:<ephemeral> with a generated
// CA and server certificate in a temp directory, certificate hot reload
// wired exactly as main wires it (fast polling), and Run() on a thread.
// Tests swap the certificate files and talk to it with TlsTestClient.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "memsecret/http/tls_context.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "testing/tls_test_client.h"
#include "webhook/config/file_watcher.h"
#include "webhook/metrics.h"
#include "webhook/server.h"

namespace memsecret::testing {

struct HarnessOptions {
  webhook::ServerOptions server = [] {
    webhook::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.event_loops = 2;
    o.keep_alive_timeout = std::chrono::seconds(5);  // room for a rotation mid-connection
    return o;
  }();
  std::chrono::milliseconds watch_interval{20};
  KeyType key_type = KeyType::kEcP256;
  bool with_intermediate = false;  // leaf issued by an intermediate sent in the chain
};

class ServerHarness {
 public:
  // Generates the PKI, writes tls.crt/tls.key (serial 1, CN "webhook-1"),
  // binds and starts serving. Throws if anything fails.
  explicit ServerHarness(webhook::AdmitHandler handler, HarnessOptions options = {});
  ~ServerHarness();  // StopAndJoin()

  int port() const { return server_->port(); }
  webhook::Metrics& metrics() { return metrics_; }
  webhook::WebhookServer& server() { return *server_; }
  TestCa& issuer() { return with_intermediate_ ? *intermediate_ : root_; }
  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

  // Client options trusting only the root CA.
  TlsClientOptions ClientOptions() const;
  // A new verified connection; null (and a gtest failure message) on error.
  std::unique_ptr<TlsTestClient> Connect();
  // A one-shot request on a fresh connection.
  std::optional<HttpReply> Request(const std::string& method, const std::string& target,
                                   const std::string& body = "");

  // Replaces the served files the way cert-manager + kubelet do: each file
  // atomically; the chain file holds the leaf followed by the intermediate
  // when the harness uses one.
  void WriteCertificate(const IssuedCert& cert);
  void WriteRawFiles(const std::string& cert_pem, const std::string& key_pem);

  // Drain + Stop, then waits for Run() to return. Idempotent.
  void StopAndJoin();
  // Whether Run() has returned.
  bool finished() const { return finished_.load(); }

 private:
  TempDir dir_;
  TestCa root_;
  std::unique_ptr<TestCa> intermediate_;
  bool with_intermediate_;
  std::string cert_path_;
  std::string key_path_;
  webhook::Metrics metrics_;
  std::unique_ptr<http::CertificateStore> certs_;
  std::unique_ptr<webhook::FileWatcher> watcher_;
  std::unique_ptr<webhook::WebhookServer> server_;
  std::thread runner_;
  std::atomic<bool> finished_{false};
};

}  // namespace memsecret::testing
