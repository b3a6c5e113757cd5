// RotateArgs: the command line of `memsecret rotate` (docs/rotation.md),
// parsed with one FlagTable (memsecret/flags.h); every problem is collected
// so one run names them all (exit 2). Pure; thread-compatible.
//   rotate REF [--issuer ISSUER] [--admin ADMIN_REF] [--new-from-file FILE|-]
//              [--prometheus URL] [--census-timeout DUR] [--if-older-than DUR] [--dry-run]
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "memsecret/flags.h"

namespace memsecret::injector {

struct RotateArgs {
  std::string ref;                                    // REF, the one operand
  std::string issuer;                                 // --issuer
  std::string admin;                                  // --admin ADMIN_REF
  std::optional<std::string> new_from_file;           // --new-from-file FILE|-
  std::string prometheus;                             // --prometheus URL
  std::chrono::seconds census_timeout{3600};          // --census-timeout
  std::optional<std::chrono::seconds> if_older_than;  // --if-older-than
  bool dry_run = false;                               // --dry-run
};

// The flags of `rotate`, writing into `out` (which must outlive the table);
// also the source of the usage text.
FlagTable RotateFlags(RotateArgs* out);

// `args` are the words after "rotate". False when `problems` got any.
bool ParseRotateArgs(const std::vector<std::string>& args, RotateArgs* out,
                     std::vector<std::string>* problems);

}  // namespace memsecret::injector
