// The HTTPS server's listening socket: bound, listening, non-blocking.
#pragma once

#include <string>

#include "memsecret/status.h"

namespace memsecret::http {

struct ListeningSocket {
  int fd = -1;
  int port = 0;  // the bound port (the kernel's choice when asked for 0)
};

// Resolves `host` (an address or a name), binds the first address that
// works and listens. Errors name "host:port" and the reason.
Result<ListeningSocket> OpenListeningSocket(const std::string& host, int port);

}  // namespace memsecret::http
