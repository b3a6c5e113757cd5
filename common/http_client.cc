// The real HttpClient over cpp-httplib + OpenSSL: https (system trust,
// SSL_CERT_FILE/SSL_CERT_DIR via OpenSSL's default paths, or explicit CA
// options), plain http only to loopback and the node-local container
// credential agents, no redirects, per-request timeouts, bounded bodies.
// httplib stops here: nothing it throws or returns escapes as anything but a
// Status naming the host, never a body.
#include "memsecret/http_client.h"

#include <httplib.h>
#include <openssl/x509_vfy.h>

#include "memsecret/secret_value.h"
#include "memsecret/url.h"

namespace memsecret {

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  }
  return std::nullopt;
}

namespace {

constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;

Status TransportError(httplib::Error err, const Url& url) {
  std::string where = url.HostHeader();
  switch (err) {
    case httplib::Error::ConnectionTimeout:
      return DeadlineExceeded("connection to " + where + " timed out");
    case httplib::Error::Read:
      return Unavailable("reading the response from " + where + " failed or timed out");
    case httplib::Error::Write:
      return Unavailable("sending the request to " + where + " failed or timed out");
    case httplib::Error::Connection:
      return Unavailable("cannot connect to " + where);
    case httplib::Error::SSLConnection:
      return Unavailable("TLS handshake with " + where + " failed");
    case httplib::Error::SSLLoadingCerts:
      return Unavailable("cannot load CA certificates for " + where);
    case httplib::Error::SSLServerVerification:
      return Unavailable("TLS certificate of " + where +
                         " is not trusted or does not match the host");
    case httplib::Error::Canceled:
      return Unavailable("response from " + where + " exceeds " + std::to_string(kMaxBodyBytes) +
                         " bytes");
    default:
      return Unavailable("request to " + where + " failed: " + httplib::to_string(err));
  }
}

class HttplibClient final : public HttpClient {
 public:
  explicit HttplibClient(TlsOptions tls) : tls_(std::move(tls)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    auto url = ParseUrl(request.url);
    if (!url.ok()) return url.status().WithContext("http");
    if (url->scheme == "http" && !IsLoopbackHost(url->host) &&
        !IsContainerCredentialAgentHost(url->host))
      return InvalidArgument("refusing plain http to " + url->host +
                             " (https is required except to loopback)");
    try {
      return SendWith(*url, request);
    } catch (const std::exception& e) {
      return Unavailable("request to " + url->HostHeader() + " failed: " + e.what());
    }
  }

 private:
  Result<HttpResponse> SendWith(const Url& url, const HttpRequest& request) {
    std::unique_ptr<httplib::ClientImpl> client;
    if (url.scheme == "https") {
      auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
      ConfigureTrust(*ssl);
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
    }
    client->set_follow_location(false);
    client->set_keep_alive(false);
    client->set_connection_timeout(request.timeout);
    client->set_read_timeout(request.timeout);
    client->set_write_timeout(request.timeout);

    httplib::Request req;
    req.method = request.method;
    req.path = url.target;
    for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
    if (!req.has_header("Host")) req.headers.emplace("Host", url.HostHeader());
    req.body = request.body;
    std::string body;
    body.reserve(64 * 1024);
    req.content_receiver = [&body](const char* data, size_t n, uint64_t, uint64_t) {
      if (body.size() + n > kMaxBodyBytes) return false;
      body.append(data, n);
      return true;
    };

    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool sent = client->send(req, res, err);
    SecureWipe(req.body);
    if (!sent || err != httplib::Error::Success) {
      SecureWipe(body);
      return TransportError(err == httplib::Error::Success ? httplib::Error::Unknown : err, url);
    }
    HttpResponse out;
    out.status = res.status;
    for (const auto& [k, v] : res.headers) out.headers.emplace_back(k, v);
    out.body = std::move(body);
    return out;
  }

  void ConfigureTrust(httplib::SSLClient& ssl) {
    ssl.enable_server_certificate_verification(!tls_.insecure_skip_verify);
    if (tls_.ca_file.empty() && tls_.ca_dir.empty()) return;  // OpenSSL defaults + SSL_CERT_* env
    if (!tls_.ca_file.empty() && !tls_.ca_dir.empty()) {
      // httplib loads only one of the two; give it a store holding both.
      X509_STORE* store = X509_STORE_new();
      X509_STORE_load_file(store, tls_.ca_file.c_str());
      X509_STORE_load_path(store, tls_.ca_dir.c_str());
      ssl.set_ca_cert_store(store);  // takes ownership
    }
    ssl.set_ca_cert_path(tls_.ca_file, tls_.ca_dir);
  }

  TlsOptions tls_;
};

}  // namespace

std::unique_ptr<HttpClient> MakeHttpClient(const TlsOptions& tls) {
  return std::make_unique<HttplibClient>(tls);
}

}  // namespace memsecret
