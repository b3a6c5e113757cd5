// WaitForReadyMarker: blocks until the readiness marker
// (`<dir>/.memsecret-ready`, runtime/atomic_file_writer.h) exists or a timeout
// passes — the body of `memsecret-injector probe --wait DUR`, the native
// sidecar's postStart hook. It watches the directory with inotify (the marker
// is renamed into place, one IN_MOVED_TO), so it returns within a scheduling
// delay of the first complete write and costs nothing while it waits: no
// polling, one blocking poll(2) per directory event.
//
// Thread-safety: stateless; each call owns its inotify descriptor.
#pragma once

#include <chrono>
#include <string>

#include "memsecret/status.h"

namespace memsecret::injector {

// true: the marker exists (it may have existed before the call); false: the
// timeout passed first. Errors (the directory cannot be watched) name the
// directory and the errno text.
Result<bool> WaitForReadyMarker(const std::string& dir, std::chrono::milliseconds timeout);

}  // namespace memsecret::injector
