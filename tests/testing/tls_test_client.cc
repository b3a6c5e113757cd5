#include "testing/tls_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace memsecret::testing {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  std::string out = e != 0 ? ERR_error_string(e, nullptr) : "no OpenSSL error";
  ERR_clear_error();
  return out;
}

bool LoadCa(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (ca == nullptr) return false;
  const bool ok = X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) == 1;
  X509_free(ca);
  return ok;
}

}  // namespace

std::unique_ptr<TlsTestClient> TlsTestClient::Connect(int port, const TlsClientOptions& options,
                                                      std::string* error) {
  std::unique_ptr<TlsTestClient> c(new TlsTestClient());
  ERR_clear_error();
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  if (options.allow_legacy) SSL_CTX_set_security_level(c->ctx_, 0);
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(c->ctx_, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(c->ctx_, options.max_version);
  if (!options.cipher_list.empty() &&
      SSL_CTX_set_cipher_list(c->ctx_, options.cipher_list.c_str()) != 1) {
    *error = "client cannot offer cipher list " + options.cipher_list + ": " + OpenSslError();
    return nullptr;
  }
  if (!LoadCa(c->ctx_, options.ca_pem)) {
    *error = "bad CA PEM";
    return nullptr;
  }
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);

  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};  // a broken server must fail the test, not hang it
  setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::string("connect: ") + std::strerror(errno);
    return nullptr;
  }
  c->ssl_ = SSL_new(c->ctx_);
  SSL_set_fd(c->ssl_, c->fd_);
  SSL_set_tlsext_host_name(c->ssl_, options.server_name.c_str());
  SSL_set1_host(c->ssl_, options.server_name.c_str());
  if (SSL_connect(c->ssl_) != 1) {
    const long verify = SSL_get_verify_result(c->ssl_);
    *error = "handshake failed: " + OpenSslError() +
             (verify != X509_V_OK
                  ? std::string(" (verify: ") + X509_verify_cert_error_string(verify) + ")"
                  : "");
    return nullptr;
  }
  return c;
}

TlsTestClient::~TlsTestClient() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

bool TlsTestClient::ReadMore(std::string* error) {
  char buf[16384];
  const int n = SSL_read(ssl_, buf, sizeof buf);
  if (n <= 0) {
    *error = "read failed or connection closed (SSL error " +
             std::to_string(SSL_get_error(ssl_, n)) + ")";
    return false;
  }
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<HttpReply> TlsTestClient::Exchange(const std::string& raw_request,
                                                 std::string* error) {
  if (!Send(raw_request, error)) return std::nullopt;
  return ReadReply(error);
}

bool TlsTestClient::Send(std::string_view bytes, std::string* error) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const int n = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    if (n <= 0) {
      *error = "write failed (SSL error " + std::to_string(SSL_get_error(ssl_, n)) + ")";
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool TlsTestClient::AwaitClosed(int timeout_ms, std::string* error) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (;;) {
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) continue;  // e.g. an error answer before the close
    const int saved_errno = errno;
    const int err = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) return true;
    if (err == SSL_ERROR_WANT_READ ||
        (err == SSL_ERROR_SYSCALL && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK))) {
      *error = "still open after " + std::to_string(timeout_ms) + " ms";
      return false;
    }
    return true;  // EOF without close_notify, or a reset
  }
}

std::optional<HttpReply> TlsTestClient::ReadReply(std::string* error, bool head_only) {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!ReadMore(error)) return std::nullopt;
  }
  HttpReply reply;
  const std::string head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) {
    *error = "bad status line: " + status_line;
    return std::nullopt;
  }
  reply.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    size_t value_start = line.find_first_not_of(' ', colon + 1);
    reply.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
  }
  const auto cl = reply.headers.find("content-length");
  const size_t length = cl == reply.headers.end() || head_only ? 0 : std::stoul(cl->second);
  while (buffer_.size() < length) {
    if (!ReadMore(error)) return std::nullopt;
  }
  reply.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return reply;
}

std::string TlsTestClient::PeerSerialHex() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string TlsTestClient::PeerCommonName() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
  return cn;
}

std::string HttpRequest(const std::string& method, const std::string& target,
                        const std::string& body, bool close) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty() || method == "POST") {
    out +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n" + body;
  return out;
}

}  // namespace memsecret::testing
