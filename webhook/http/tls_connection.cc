#include "webhook/http/tls_connection.h"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "webhook/http/tls_context.h"

namespace memsecret::webhook {

TlsConnection::TlsConnection(SSL_CTX* ctx, int fd) : fd_(fd) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr) return;
  if (SSL_set_fd(ssl_, fd) != 1) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    return;
  }
  SSL_set_accept_state(ssl_);
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

// Maps an SSL_* return value to Io. OpenSSL's error queue is per thread and
// SSL_get_error() reads it, so every failure leaves it empty again.
TlsConnection::Io TlsConnection::Classify(int ret) {
  const int saved_errno = errno;
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (saved_errno == 0 || saved_errno == ECONNRESET || saved_errno == EPIPE) {
        return Io::kClosed;  // EOF without close_notify, or a reset: the peer is gone
      }
      last_error_ = std::string("socket: ") + std::strerror(saved_errno);
      return Io::kError;
    default: {
      last_error_ = TakeOpenSslError();
      return Io::kError;
    }
  }
}

TlsConnection::Io TlsConnection::Handshake() {
  errno = 0;
  const int ret = SSL_do_handshake(ssl_);
  return ret == 1 ? Io::kDone : Classify(ret);
}

TlsConnection::Io TlsConnection::Read(char* buffer, size_t capacity, size_t* received) {
  errno = 0;
  const int ret = SSL_read(ssl_, buffer, static_cast<int>(capacity > INT_MAX ? INT_MAX : capacity));
  if (ret > 0) {
    *received = static_cast<size_t>(ret);
    return Io::kDone;
  }
  return Classify(ret);
}

TlsConnection::Io TlsConnection::Write(std::string_view data, size_t* sent) {
  errno = 0;
  const int ret =
      SSL_write(ssl_, data.data(), static_cast<int>(data.size() > INT_MAX ? INT_MAX : data.size()));
  if (ret > 0) {
    *sent = static_cast<size_t>(ret);
    return Io::kDone;
  }
  return Classify(ret);
}

void TlsConnection::SendCloseNotify() {
  if (SSL_is_init_finished(ssl_) == 1) SSL_shutdown(ssl_);
  ERR_clear_error();
}

void TlsConnection::ShutdownWrite() {
  SendCloseNotify();
  ::shutdown(fd_, SHUT_WR);
}

TlsConnection::Io TlsConnection::DiscardInput(char* scratch, size_t capacity) {
  const ssize_t n = ::recv(fd_, scratch, capacity, 0);
  if (n > 0) return Io::kDone;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Io::kWantRead;
  return Io::kClosed;
}

}  // namespace memsecret::webhook
