// FlagTable: the one command-line flag parser of both binaries (the webhook's
// serve/render, the injector's run/probe/rotate and the pipeline commands).
// A command declares its flags once as a table — name, value or switch,
// repeatable or not, the value's name and a line of help, and what to do with
// the value — and gets parsing, the errors and its usage text from it.
//
// The grammar (docs/cli.md):
//   --name VALUE and --name=VALUE (an alias such as -f takes the next word);
//   a switch takes no value ("--once=1" is refused);
//   "--" ends the flags: every later word is an operand, even "-x";
//   "-" alone is an operand (standard input), any other word starting with
//   "-" a flag.
// Errors, each naming the flag as typed (never the text after "=", which may
// be a secret):
//   "unknown flag --bogus"
//   "--wait is a flag of probe, not of run"       (see AddForeignFlag)
//   "--plan needs a value (FILE)"                 (missing or empty)
//   "--once takes no value"
//   "--plan given twice"                          (flags not marked repeatable)
//   "--github-env is required", "at least one --env VAR=NAME[#FIELD] is required"
// and whatever the setter returns (it names the flag itself: "--timeout: ...").
// Pure; a table is thread-compatible (its setters write the caller's struct).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memsecret/status.h"

namespace memsecret {

enum class FlagKind {
  kValue,     // --name VALUE, at most once
  kRepeated,  // --name VALUE, any number of times, in order
  kSwitch,    // --name, at most once; the setter gets ""
};

struct Flag {
  std::string name;   // "--plan"
  std::string alias;  // "-f", or empty
  FlagKind kind = FlagKind::kValue;
  std::string value_name;  // "FILE": the usage and the missing-value error
  std::string help;        // one line for the usage
  // Called once per occurrence, in order, with a non-empty value ("" for a
  // switch); an error is the problem reported, as the setter words it.
  std::function<Status(const std::string& value)> set;
  bool required = false;
};

// Setters for the common cases: keep the value as it is, or note a switch.
std::function<Status(const std::string&)> StoreIn(std::string* field);
std::function<Status(const std::string&)> StoreIn(std::optional<std::string>* field);
std::function<Status(const std::string&)> AppendTo(std::vector<std::string>* list);  // kRepeated
std::function<Status(const std::string&)> SetTrue(bool* field);

// The words of a command line that are not flags.
struct FlagOperands {
  std::vector<std::string> before_end;  // operands before "--" (all of them without "--")
  std::vector<std::string> after_end;   // the words after "--"
  bool end_seen = false;                // "--" was given
};

class FlagTable {
 public:
  // `command` names the command in the foreign-flag error ("run").
  FlagTable(std::string command, std::vector<Flag> flags);

  // `name` is a flag of `other_command`, not of this one: using it is the
  // error "NAME is a flag of OTHER, not of COMMAND" instead of "unknown flag".
  void AddForeignFlag(std::string name, std::string other_command);

  // Parses `args` (the words after the command), calling each flag's setter
  // in order, and collects every problem into `problems` (parsing goes on
  // after one). Required flags are checked at the end.
  FlagOperands Parse(const std::vector<std::string>& args,
                     std::vector<std::string>* problems) const;
  // The same, stopping at the first problem (kInvalidArgument).
  Result<FlagOperands> Parse(const std::vector<std::string>& args) const;

  // One synopsis item per flag, in table order: "-f FILE", "[--plan FILE]",
  // "[--set KEY=VALUE]...", "[--once]" (required flags have no brackets).
  std::vector<std::string> Synopsis() const;
  // One line per flag: "  -f, --file FILE   help", the help texts aligned.
  std::string Help() const;

 private:
  const Flag* Find(std::string_view name) const;

  std::string command_;
  std::vector<Flag> flags_;
  std::vector<std::pair<std::string, std::string>> foreign_;  // flag, its command
};

// `lead` followed by `items` separated by spaces, wrapped before `width`
// columns; continuation lines are indented to the first item. Ends in "\n".
std::string FormatUsageLine(std::string_view lead, const std::vector<std::string>& items,
                            size_t width = 100);

}  // namespace memsecret
