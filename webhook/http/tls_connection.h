// TlsConnection: one accepted, non-blocking TCP socket and its OpenSSL
// session. Every operation returns at once; kWantRead / kWantWrite say which
// socket readiness must come before retrying (OpenSSL may need to write while
// reading and the reverse, e.g. during the handshake). Owns the descriptor.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace memsecret::webhook {

class TlsConnection {
 public:
  enum class Io {
    kDone,       // progress was made
    kWantRead,   // retry when the socket is readable
    kWantWrite,  // retry when the socket is writable
    kClosed,     // the peer closed (close_notify or TCP EOF)
    kError,      // protocol or socket error; the connection is unusable
  };

  // Takes ownership of `fd` (closed by the destructor even if SSL_new fails).
  TlsConnection(SSL_CTX* ctx, int fd);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  bool ok() const { return ssl_ != nullptr; }
  int fd() const { return fd_; }

  Io Handshake();
  // Decrypts up to `capacity` bytes into `buffer`; on kDone `*received` > 0.
  Io Read(char* buffer, size_t capacity, size_t* received);
  // Whether OpenSSL already holds received bytes (epoll will not report them).
  bool HasBufferedInput() const { return SSL_has_pending(ssl_) == 1; }
  // Encrypts and sends a prefix of `data`; on kDone `*sent` > 0.
  Io Write(std::string_view data, size_t* sent);

  // Sends close_notify (best effort, never waits for the peer's).
  void SendCloseNotify();
  // close_notify, then TCP FIN after everything written so far: the peer
  // reads the whole response, then end of stream.
  void ShutdownWrite();
  // After ShutdownWrite: reads and drops raw bytes without decrypting them.
  // kDone (dropped some), kWantRead (nothing now) or kClosed (EOF or error).
  Io DiscardInput(char* scratch, size_t capacity);

  // The reason of the last kError, for debug logs (no peer data in it).
  const std::string& last_error() const { return last_error_; }

 private:
  Io Classify(int ret);

  SSL* ssl_ = nullptr;
  int fd_ = -1;
  std::string last_error_;
};

}  // namespace memsecret::webhook
