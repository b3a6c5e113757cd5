// Transport: one accepted, non-blocking TCP socket, served over TLS (an
// OpenSSL session from the server's SSL_CTX) or in plain text (no context:
// the injector's loopback and metrics endpoints). Every operation returns at
// once; kWantRead / kWantWrite say which socket readiness must come before
// retrying (OpenSSL may need to write while reading and the reverse, e.g.
// during the handshake). Owns the descriptor. One connection's transport is
// used by one thread at a time (its event loop's).
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace memsecret::http {

class Transport {
 public:
  enum class Io {
    kDone,       // progress was made
    kWantRead,   // retry when the socket is readable
    kWantWrite,  // retry when the socket is writable
    kClosed,     // the peer closed (close_notify or TCP EOF)
    kError,      // protocol or socket error; the connection is unusable
  };

  // Takes ownership of `fd` (closed by the destructor even if SSL_new fails).
  // `ctx` null: plain text.
  Transport(SSL_CTX* ctx, int fd);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // False when the TLS session could not be created.
  bool ok() const { return ok_; }
  int fd() const { return fd_; }

  // TLS: drives the handshake. Plain: nothing to do, kDone.
  Io Handshake();
  // Up to `capacity` bytes into `buffer`; on kDone `*received` > 0.
  Io Read(char* buffer, size_t capacity, size_t* received);
  // Whether OpenSSL already holds received bytes (epoll will not report them).
  bool HasBufferedInput() const { return ssl_ != nullptr && SSL_has_pending(ssl_) == 1; }
  // Sends a prefix of `data`; on kDone `*sent` > 0.
  Io Write(std::string_view data, size_t* sent);

  // TLS: sends close_notify (best effort, never waits for the peer's).
  void SendCloseNotify();
  // close_notify (TLS), then TCP FIN after everything written so far: the
  // peer reads the whole response, then end of stream.
  void ShutdownWrite();
  // After ShutdownWrite: reads and drops raw bytes without decrypting them.
  // kDone (dropped some), kWantRead (nothing now) or kClosed (EOF or error).
  Io DiscardInput(char* scratch, size_t capacity);

  // The reason of the last kError, for debug logs (no peer data in it).
  const std::string& last_error() const { return last_error_; }

 private:
  Io Classify(int ret);
  Io ClassifySocket(ssize_t ret);

  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool ok_ = true;
  std::string last_error_;
};

}  // namespace memsecret::http
