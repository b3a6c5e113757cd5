#include "testing/server_harness.h"

#include <gtest/gtest.h>

#include <csignal>
#include <stdexcept>

#include "webhook/hot_reload.h"

namespace memsecret::testing {

ServerHarness::ServerHarness(webhook::AdmitHandler handler, HarnessOptions options)
    : root_(TestCa::CreateRoot("memsecret test root")),
      with_intermediate_(options.with_intermediate),
      cert_path_(dir_.File("tls.crt")),
      key_path_(dir_.File("tls.key")) {
  std::signal(SIGPIPE, SIG_IGN);  // as main does: a peer hanging up must not kill us
  if (with_intermediate_) {
    intermediate_ = std::make_unique<TestCa>(root_.CreateIntermediate("memsecret test issuer"));
  }
  WriteCertificate(issuer().IssueServer("webhook-1", 1, options.key_type));
  auto bundle = http::LoadCertificateBundle(cert_path_, key_path_);
  if (!bundle.ok()) throw std::runtime_error(bundle.status().ToString());
  certs_ = std::make_unique<http::CertificateStore>(*bundle);

  watcher_ = std::make_unique<webhook::FileWatcher>(options.watch_interval);
  webhook::WatchCertificate(*watcher_, cert_path_, key_path_, *certs_, metrics_);
  server_ = std::make_unique<webhook::WebhookServer>(options.server, *certs_, metrics_,
                                                     std::move(handler));
  if (auto s = server_->Bind(); !s.ok()) throw std::runtime_error(s.ToString());
  watcher_->Start();
  runner_ = std::thread([this] {
    server_->Run();
    finished_ = true;
  });
}

ServerHarness::~ServerHarness() { StopAndJoin(); }

void ServerHarness::StopAndJoin() {
  server_->Drain();
  server_->Stop();
  if (runner_.joinable()) runner_.join();
  watcher_->Stop();
}

TlsClientOptions ServerHarness::ClientOptions() const {
  TlsClientOptions o;
  o.ca_pem = root_.cert_pem();
  return o;
}

std::unique_ptr<TlsTestClient> ServerHarness::Connect() {
  std::string error;
  auto client = TlsTestClient::Connect(port(), ClientOptions(), &error);
  EXPECT_NE(client, nullptr) << error;
  return client;
}

std::optional<HttpReply> ServerHarness::Request(const std::string& method,
                                                const std::string& target,
                                                const std::string& body) {
  auto client = Connect();
  if (client == nullptr) return std::nullopt;
  std::string error;
  auto reply = client->Exchange(HttpRequest(method, target, body, /*close=*/true), &error);
  EXPECT_TRUE(reply.has_value()) << method << " " << target << ": " << error;
  return reply;
}

void ServerHarness::WriteCertificate(const IssuedCert& cert) {
  std::string chain = cert.cert_pem;
  if (with_intermediate_) chain += intermediate_->cert_pem();
  WriteRawFiles(chain, cert.key_pem);
}

void ServerHarness::WriteRawFiles(const std::string& cert_pem, const std::string& key_pem) {
  WriteFileAtomically(cert_path_, cert_pem);
  WriteFileAtomically(key_path_, key_pem);
}

}  // namespace memsecret::testing
