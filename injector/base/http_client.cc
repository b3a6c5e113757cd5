// The real HttpClient: a small HTTP/1.1 client over POSIX sockets and OpenSSL.
// https with the system trust (SSL_CERT_FILE/SSL_CERT_DIR through OpenSSL's
// default paths) or explicit CA options; plain http only to loopback and the
// node-local container credential agents; no redirects; one deadline per
// request; bounded headers and bodies; one connection per request
// ("Connection: close": the injector sends a few requests per refresh, minutes
// apart, so a kept-alive connection would only idle).
//
// Why not cpp-httplib: Debian ships it only as a shared library that pulls in
// libssl, libcrypto, zlib and brotli dynamically and initialises OpenSSL (config
// file, error strings) in a static constructor of every process that loads it.
// The injector runs once per pod start and as a sidecar for the pod's life;
// this client lets it link statically and touch OpenSSL's TLS side only when an
// https endpoint is first used.
//
// TLS contexts are built lazily, one per distinct trust configuration per
// process, and shared by every client and request (building one loads the CA
// bundle, the slowest part of a first request). Failures never carry a body:
// they are Status values naming the host.
#include "injector/base/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <tuple>

#include "injector/base/secret_value.h"
#include "memsecret/ascii.h"
#include "memsecret/url.h"

namespace memsecret {

namespace {}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (EqualsIgnoreAsciiCase(k, name)) return v;
  return std::nullopt;
}

namespace {

constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;
constexpr size_t kMaxHeaderBytes = 64 * 1024;
using SteadyTime = std::chrono::steady_clock::time_point;

// ---- TLS contexts: lazy, shared, one per trust configuration ---------------

// The trust a context was built with. SSL_CERT_FILE/SSL_CERT_DIR are part of
// it: OpenSSL reads them when the default paths are loaded.
using TrustKey = std::tuple<std::string, std::string, bool, std::string, std::string>;

struct TlsContexts {
  std::mutex mu;
  std::map<TrustKey, SSL_CTX*> built;  // never freed: they live as long as the process
};

TlsContexts& Contexts() {
  static TlsContexts* contexts = new TlsContexts;  // no destructor races at exit
  return *contexts;
}

std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The shared context for `tls`, built on first use; nullptr when the CA
// certificates cannot be loaded (not cached, so a fixed file is picked up).
SSL_CTX* SharedTlsContext(const TlsOptions& tls) {
  TrustKey key{tls.ca_file, tls.ca_dir, tls.insecure_skip_verify, "", ""};
  if (tls.ca_file.empty() && tls.ca_dir.empty()) {
    std::get<3>(key) = EnvOrEmpty("SSL_CERT_FILE");
    std::get<4>(key) = EnvOrEmpty("SSL_CERT_DIR");
  }
  TlsContexts& contexts = Contexts();
  std::lock_guard<std::mutex> lock(contexts.mu);
  if (auto it = contexts.built.find(key); it != contexts.built.end()) return it->second;

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return nullptr;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, tls.insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  bool loaded = true;
  if (!tls.insecure_skip_verify) {
    loaded = tls.ca_file.empty() && tls.ca_dir.empty()
                 ? SSL_CTX_set_default_verify_paths(ctx) == 1
                 : SSL_CTX_load_verify_locations(
                       ctx, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                       tls.ca_dir.empty() ? nullptr : tls.ca_dir.c_str()) == 1;
  }
  if (!loaded) {
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return nullptr;
  }
  contexts.built.emplace(key, ctx);
  return ctx;
}

// ---- one connection ---------------------------------------------------------

int MillisecondsLeft(SteadyTime deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool WaitFor(int fd, short events, SteadyTime deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, MillisecondsLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

class Connection {
 public:
  Connection(const Url& url, SteadyTime deadline)
      : url_(url), where_(url.HostHeader()), deadline_(deadline) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Connect() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(url_.port);
    if (::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
      return Unavailable("cannot connect to " + where_ + ": the host name does not resolve");
    bool timed_out = false;
    for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
      int fd =
          ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        if (WaitFor(fd, POLLOUT, deadline_)) {
          int err = 0;
          socklen_t len = sizeof err;
          rc = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
        } else {
          timed_out = true;
        }
      }
      if (rc == 0) {
        int one = 1;  // requests are written whole; never wait for an ACK first
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_ = fd;
      } else {
        ::close(fd);
      }
      if (timed_out) break;
    }
    ::freeaddrinfo(found);
    if (fd_ >= 0) return Status::Ok();
    if (timed_out) return DeadlineExceeded("connection to " + where_ + " timed out");
    return Unavailable("cannot connect to " + where_);
  }

  Status StartTls(const TlsOptions& tls) {
    SSL_CTX* ctx = SharedTlsContext(tls);
    if (ctx == nullptr) return Unavailable("cannot load CA certificates for " + where_);
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1)
      return Unavailable("TLS handshake with " + where_ + " failed");
    if (IsIpLiteral(url_.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), url_.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, url_.host.c_str());
      SSL_set1_host(ssl_, url_.host.c_str());
    }
    while (true) {
      int rc = SSL_connect(ssl_);
      if (rc == 1) return Status::Ok();
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!WaitFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_))
          return DeadlineExceeded("TLS handshake with " + where_ + " timed out");
        continue;
      }
      ERR_clear_error();
      if (SSL_get_verify_result(ssl_) != X509_V_OK)
        return Unavailable("TLS certificate of " + where_ +
                           " is not trusted or does not match the host");
      return Unavailable("TLS handshake with " + where_ + " failed");
    }
  }

  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      long n = ssl_ ? SslIo(SSL_write(ssl_, data.data(), static_cast<int>(data.size())))
                    : PlainIo(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL), POLLOUT);
      if (n == kRetry) continue;
      if (n <= 0) return Unavailable("sending the request to " + where_ + " failed or timed out");
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  // Appends what arrives next to `out`. False on failure or timeout; sets
  // *eof on an orderly end of the stream.
  bool ReadMore(std::string* out, bool* eof) {
    char buf[16 * 1024];
    while (true) {
      long n = ssl_ ? SslIo(SSL_read(ssl_, buf, sizeof buf))
                    : PlainIo(::recv(fd_, buf, sizeof buf, 0), POLLIN);
      if (n == kRetry) continue;
      *eof = n == 0;
      if (n > 0) out->append(buf, static_cast<size_t>(n));
      OPENSSL_cleanse(buf, sizeof buf);
      return n >= 0;
    }
  }

  const std::string& where() const { return where_; }

 private:
  static constexpr long kRetry = -2;

  // Plain socket result: bytes moved, 0 at EOF, kRetry after waiting, -1 on failure.
  long PlainIo(ssize_t n, short events) {
    if (n >= 0) return n;
    if (errno == EINTR) return kRetry;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitFor(fd_, events, deadline_)) return kRetry;
    return -1;
  }

  // TLS result, the same way; TLS may need to read while writing and back.
  long SslIo(int n) {
    if (n > 0) return n;
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      return WaitFor(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_) ? kRetry : -1;
    }
    ERR_clear_error();
    return -1;
  }

  const Url& url_;
  std::string where_;
  SteadyTime deadline_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

// ---- request and response ---------------------------------------------------

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreAsciiCase(h.first, name); });
}

bool SafeHeaderText(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos &&
         s.find('\0') == std::string_view::npos;
}

Result<std::string> SerializeRequest(const HttpRequest& request, const Url& url) {
  std::string out = request.method + " " + url.target + " HTTP/1.1\r\n";
  if (!HasHeader(request.headers, "Host")) out += "Host: " + url.HostHeader() + "\r\n";
  for (const auto& [k, v] : request.headers) {
    if (k.empty() || !SafeHeaderText(k) || k.find(':') != std::string::npos || !SafeHeaderText(v)) {
      SecureWipe(out);
      return InvalidArgument("http: header " + (SafeHeaderText(k) ? "\"" + k + "\"" : "name") +
                             " contains a line break or is malformed");
    }
    out += k + ": " + v + "\r\n";
  }
  const bool has_body = !request.body.empty() || request.method == "POST" ||
                        request.method == "PUT" || request.method == "PATCH";
  if (has_body && !HasHeader(request.headers, "Content-Length"))
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += request.body;
  return out;
}

// Reads one response off a connection: status line, headers, then a body
// framed by Content-Length, chunked encoding or the end of the stream.
class ResponseReader {
 public:
  ResponseReader(Connection& conn, bool head_request) : conn_(conn), head_(head_request) {}
  ~ResponseReader() { SecureWipe(buf_); }

  Result<HttpResponse> Read() {
    HttpResponse out;
    do {  // 1xx interim answers carry no body: skip to the final one
      out = HttpResponse{};
      if (Status st = ReadHead(&out); !st.ok()) return st;
    } while (out.status >= 100 && out.status < 200);
    if (Status st = ReadBody(out); !st.ok()) {
      SecureWipe(out.body);
      return st;
    }
    return out;
  }

 private:
  Status ReadFailed() const {
    return Unavailable("reading the response from " + conn_.where() + " failed or timed out");
  }
  Status Malformed() const { return Unavailable("malformed HTTP response from " + conn_.where()); }
  Status TooLarge() const {
    return Unavailable("response from " + conn_.where() + " exceeds " +
                       std::to_string(kMaxBodyBytes) + " bytes");
  }

  // Makes at least `n` unread bytes available; false at EOF or on failure.
  bool Need(size_t n) {
    while (buf_.size() - pos_ < n) {
      if (eof_) return false;
      if (!conn_.ReadMore(&buf_, &eof_)) return false;
    }
    return true;
  }

  // The next CRLF-terminated line (without the CRLF), at most `max` bytes.
  Result<std::string> Line(size_t max) {
    size_t end;
    while ((end = buf_.find("\r\n", pos_)) == std::string::npos) {
      if (buf_.size() - pos_ > max) return Malformed();
      if (!Need(buf_.size() - pos_ + 1)) return ReadFailed();
    }
    if (end - pos_ > max) return Malformed();
    std::string line = buf_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return line;
  }

  Status ReadHead(HttpResponse* out) {
    const size_t start = pos_;
    auto status_line = Line(kMaxHeaderBytes);
    if (!status_line.ok()) return status_line.status();
    // "HTTP/1.1 200 OK"
    if (status_line->size() < 12 || status_line->compare(0, 5, "HTTP/") != 0 ||
        (*status_line)[8] != ' ')
      return Malformed();
    int code = 0;
    for (size_t i = 9; i < 12; ++i) {
      char c = (*status_line)[i];
      if (c < '0' || c > '9') return Malformed();
      code = code * 10 + (c - '0');
    }
    out->status = code;
    while (true) {
      if (pos_ - start > kMaxHeaderBytes) return Malformed();
      auto line = Line(kMaxHeaderBytes);
      if (!line.ok()) return line.status();
      if (line->empty()) return Status::Ok();
      auto colon = line->find(':');
      if (colon == std::string::npos || colon == 0) return Malformed();
      std::string_view value(*line);
      value.remove_prefix(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      out->headers.emplace_back(line->substr(0, colon), std::string(value));
    }
  }

  Status ReadBody(HttpResponse& out) {
    if (head_ || out.status == 204 || out.status == 304) return Status::Ok();
    auto te = out.Header("Transfer-Encoding");
    if (te && te->find("chunked") != std::string::npos) return ReadChunked(&out.body);
    if (auto cl = out.Header("Content-Length")) {
      size_t n = 0;
      if (cl->empty() || cl->size() > 12 ||
          cl->find_first_not_of("0123456789") != std::string::npos)
        return Malformed();
      n = std::stoull(*cl);
      if (n > kMaxBodyBytes) return TooLarge();
      if (!Need(n)) return ReadFailed();
      out.body.assign(buf_, pos_, n);
      pos_ += n;
      return Status::Ok();
    }
    while (!eof_) {  // delimited by the end of the stream
      if (buf_.size() - pos_ > kMaxBodyBytes) return TooLarge();
      if (!conn_.ReadMore(&buf_, &eof_)) return ReadFailed();
    }
    if (buf_.size() - pos_ > kMaxBodyBytes) return TooLarge();
    out.body.assign(buf_, pos_, std::string::npos);
    pos_ = buf_.size();
    return Status::Ok();
  }

  Status ReadChunked(std::string* body) {
    while (true) {
      auto size_line = Line(1024);
      if (!size_line.ok()) return size_line.status();
      std::string_view hex(*size_line);
      hex = hex.substr(0, hex.find(';'));  // chunk extensions are ignored
      while (!hex.empty() && (hex.back() == ' ' || hex.back() == '\t')) hex.remove_suffix(1);
      if (hex.empty() || hex.size() > 8 ||
          hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
        return Malformed();
      size_t n = std::stoul(std::string(hex), nullptr, 16);
      if (n == 0) break;
      if (body->size() + n > kMaxBodyBytes) return TooLarge();
      if (!Need(n + 2)) return ReadFailed();
      if (buf_.compare(pos_ + n, 2, "\r\n") != 0) return Malformed();
      body->append(buf_, pos_, n);
      pos_ += n + 2;
    }
    while (true) {  // trailers, up to the empty line
      auto trailer = Line(kMaxHeaderBytes);
      if (!trailer.ok()) return trailer.status();
      if (trailer->empty()) return Status::Ok();
    }
  }

  Connection& conn_;
  bool head_;
  std::string buf_;  // everything read so far (may hold secrets: wiped)
  size_t pos_ = 0;   // first unread byte of buf_
  bool eof_ = false;
};

class SocketHttpClient final : public HttpClient {
 public:
  explicit SocketHttpClient(TlsOptions tls) : tls_(std::move(tls)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    auto url = ParseUrl(request.url);
    if (!url.ok()) return url.status().WithContext("http");
    if (url->scheme == "http" && !IsLoopbackHost(url->host) &&
        !IsContainerCredentialAgentHost(url->host))
      return InvalidArgument("refusing plain http to " + url->host +
                             " (https is required except to loopback)");
    auto wire = SerializeRequest(request, *url);
    if (!wire.ok()) return wire.status();
    Result<HttpResponse> response = Exchange(*url, *wire, request);
    SecureWipe(*wire);
    return response;
  }

 private:
  Result<HttpResponse> Exchange(const Url& url, const std::string& wire,
                                const HttpRequest& request) {
    Connection conn(url, std::chrono::steady_clock::now() + request.timeout);
    if (Status st = conn.Connect(); !st.ok()) return st;
    if (url.scheme == "https") {
      if (Status st = conn.StartTls(tls_); !st.ok()) return st;
    }
    if (Status st = conn.WriteAll(wire); !st.ok()) return st;
    return ResponseReader(conn, request.method == "HEAD").Read();
  }

  TlsOptions tls_;
};

}  // namespace

size_t TlsContextCount() {
  TlsContexts& contexts = Contexts();
  std::lock_guard<std::mutex> lock(contexts.mu);
  return contexts.built.size();
}

std::unique_ptr<HttpClient> MakeHttpClient(const TlsOptions& tls) {
  // SSL_write writes to the socket with write(2): a peer that has gone away
  // would raise SIGPIPE and kill the process instead of failing the request.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });
  return std::make_unique<SocketHttpClient>(tls);
}

}  // namespace memsecret
