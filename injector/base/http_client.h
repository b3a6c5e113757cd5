// HttpClient: outbound HTTPS as an injected effect. The real implementation
// (injector/base/http_client.cc) is a small HTTP/1.1 client over sockets + OpenSSL;
// tests use fakes or loopback servers. Response bodies may contain secret material: callers
// parse them into SecretValue and never log them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsecret/status.h"

namespace memsecret {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  // Absolute https://host[:port]/path?query. Plain http:// is refused except to
  // loopback and the link-local EKS/ECS credential agents (169.254.170.2,
  // 169.254.170.23, fd00:ec2::23), as botocore allows.
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  // Case-insensitive header lookup.
  std::optional<std::string> Header(std::string_view name) const;
};

struct TlsOptions {
  std::string ca_file;  // PEM bundle; empty: SSL_CERT_FILE or the system bundle
  std::string ca_dir;   // hashed CA directory; empty: SSL_CERT_DIR or the system dir
  bool insecure_skip_verify = false;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends one request. Transport failures (refused, timeout, TLS) are
  // kUnavailable/kDeadlineExceeded statuses naming the host, never the body.
  // Any HTTP status is a successful Send; redirects are never followed.
  // The real client is thread-safe: concurrent Sends share nothing but the
  // process's TLS contexts.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// The real client. Cheap to create: TLS is set up on the first https request
// (see TlsContextCount). Sets SIGPIPE to ignored for the process, so a peer
// that disconnects fails the request instead of killing the process.
std::unique_ptr<HttpClient> MakeHttpClient(const TlsOptions& tls = {});

// TLS contexts built so far in this process. Each is built on the first
// https request with its trust configuration (CA options, or SSL_CERT_FILE /
// SSL_CERT_DIR for the system trust), loads its CA certificates once and is
// shared by every client and request after that; plain http builds none.
size_t TlsContextCount();

}  // namespace memsecret
