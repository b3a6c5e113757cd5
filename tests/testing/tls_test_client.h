// A minimal blocking TLS + HTTP/1.1 client over raw OpenSSL for server tests:
// pins a CA, can force protocol versions and cipher lists, exposes the peer
// certificate, and keeps one connection open across several requests
// (keep-alive), which httplib's client does not let a test observe.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace memsecret::testing {

struct TlsClientOptions {
  std::string ca_pem;                     // the only trust anchor
  std::string server_name = "localhost";  // SNI and the name verified in the cert
  int min_version = 0;                    // e.g. TLS1_VERSION; 0: OpenSSL default
  int max_version = 0;                    // e.g. TLS1_1_VERSION; 0: OpenSSL default
  std::string cipher_list;                // TLS <= 1.2 ciphers; empty: default
  // Security level 0, so the client is able to offer TLS 1.0/1.1 and legacy
  // ciphers at all (OpenSSL 3 refuses them by default at level 1).
  bool allow_legacy = false;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class TlsTestClient {
 public:
  // Connects to 127.0.0.1:`port` and completes a verified handshake. On
  // failure returns null and describes why in `*error`.
  static std::unique_ptr<TlsTestClient> Connect(int port, const TlsClientOptions& options,
                                                std::string* error);
  ~TlsTestClient();

  // Sends `raw_request` and reads one response (Content-Length framing).
  // nullopt on I/O or parse failure, with `*error` set.
  std::optional<HttpReply> Exchange(const std::string& raw_request, std::string* error);
  // The two halves of Exchange, for pipelining, dripping and interim (100)
  // responses. `head_only`: the answer to a HEAD request (no body follows).
  bool Send(std::string_view bytes, std::string* error);
  std::optional<HttpReply> ReadReply(std::string* error, bool head_only = false);
  // Reads until the server closes the connection; false if it is still open
  // after `timeout` (or on another error, described in `*error`).
  bool AwaitClosed(int timeout_ms, std::string* error);

  std::string PeerSerialHex() const;  // upper-case hex, as the server logs it
  std::string PeerCommonName() const;
  std::string Protocol() const { return SSL_get_version(ssl_); }
  std::string Cipher() const { return SSL_get_cipher_name(ssl_); }

 private:
  TlsTestClient() = default;
  bool ReadMore(std::string* error);

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
};

// "POST /mutate?timeout=10s HTTP/1.1" with Host, Content-Type and
// Content-Length; keep-alive unless `close`.
std::string HttpRequest(const std::string& method, const std::string& target,
                        const std::string& body = "", bool close = false);

}  // namespace memsecret::testing
