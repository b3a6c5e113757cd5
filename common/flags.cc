#include "memsecret/flags.h"

#include <algorithm>
#include <utility>

namespace memsecret {

namespace {

// How a flag is shown: its short alias when it has one ("-f"), else its name.
const std::string& Spelling(const Flag& f) { return f.alias.empty() ? f.name : f.alias; }

std::string RequiredProblem(const Flag& f) {
  switch (f.kind) {
    case FlagKind::kSwitch:
      return Spelling(f) + " is required";
    case FlagKind::kRepeated:
      return "at least one " + Spelling(f) + " " + f.value_name + " is required";
    case FlagKind::kValue:
      break;
  }
  return Spelling(f) + " " + f.value_name + " is required";
}

}  // namespace

std::function<Status(const std::string&)> StoreIn(std::string* field) {
  return [field](const std::string& v) {
    *field = v;
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> StoreIn(std::optional<std::string>* field) {
  return [field](const std::string& v) {
    *field = v;
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> AppendTo(std::vector<std::string>* list) {
  return [list](const std::string& v) {
    list->push_back(v);
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> SetTrue(bool* field) {
  return [field](const std::string&) {
    *field = true;
    return Status::Ok();
  };
}

FlagTable::FlagTable(std::string command, std::vector<Flag> flags)
    : command_(std::move(command)), flags_(std::move(flags)) {}

void FlagTable::AddForeignFlag(std::string name, std::string other_command) {
  foreign_.emplace_back(std::move(name), std::move(other_command));
}

const Flag* FlagTable::Find(std::string_view name) const {
  for (const Flag& f : flags_) {
    if (name == f.name || (!f.alias.empty() && name == f.alias)) return &f;
  }
  return nullptr;
}

FlagOperands FlagTable::Parse(const std::vector<std::string>& args,
                              std::vector<std::string>* problems) const {
  FlagOperands out;
  std::vector<bool> seen(flags_.size(), false);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (out.end_seen) {
      out.after_end.push_back(arg);
      continue;
    }
    if (arg == "--") {
      out.end_seen = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.before_end.push_back(arg);
      continue;
    }
    // "--name=value": the name ends at the first '='. Only long names take it,
    // so "-f=x" is the unknown flag "-f=x", as in getopt.
    std::string name = arg;
    std::string value;
    bool inline_value = false;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    const Flag* flag = Find(name);
    if (flag == nullptr) {
      const auto foreign = std::find_if(foreign_.begin(), foreign_.end(),
                                        [&](const auto& f) { return f.first == name; });
      if (foreign != foreign_.end()) {
        problems->push_back(name + " is a flag of " + foreign->second + ", not of " + command_);
      } else {
        problems->push_back("unknown flag " + name);
      }
      continue;
    }
    const size_t index = static_cast<size_t>(flag - flags_.data());
    const bool again = seen[index] && flag->kind != FlagKind::kRepeated;
    seen[index] = true;
    if (flag->kind == FlagKind::kSwitch) {
      if (inline_value) {
        problems->push_back(name + " takes no value");
      } else if (again) {
        problems->push_back(name + " given twice");
      } else if (Status st = flag->set(""); !st.ok()) {
        problems->push_back(st.message());
      }
      continue;
    }
    if (!inline_value && i + 1 < args.size()) {
      value = args[++i];
    } else if (!inline_value) {
      problems->push_back(name + " needs a value (" + flag->value_name + ")");
      continue;
    }
    if (again) {
      problems->push_back(name + " given twice");
    } else if (value.empty()) {
      problems->push_back(name + " needs a value (" + flag->value_name + ")");
    } else if (Status st = flag->set(value); !st.ok()) {
      problems->push_back(st.message());
    }
  }
  for (size_t i = 0; i < flags_.size(); ++i) {
    if (flags_[i].required && !seen[i]) problems->push_back(RequiredProblem(flags_[i]));
  }
  return out;
}

Result<FlagOperands> FlagTable::Parse(const std::vector<std::string>& args) const {
  // Setters run in order and the first problem is reported; a later flag's
  // setter may have run already, which is harmless: the caller gets an error.
  std::vector<std::string> problems;
  FlagOperands out = Parse(args, &problems);
  if (!problems.empty()) return InvalidArgument(problems.front());
  return out;
}

std::vector<std::string> FlagTable::Synopsis() const {
  std::vector<std::string> items;
  for (const Flag& f : flags_) {
    std::string item = Spelling(f);
    if (f.kind != FlagKind::kSwitch) item += " " + f.value_name;
    if (!f.required) item = "[" + item + "]";
    if (f.kind == FlagKind::kRepeated) item += "...";
    items.push_back(std::move(item));
  }
  return items;
}

std::string FlagTable::Help() const {
  std::vector<std::string> heads;
  size_t widest = 0;
  for (const Flag& f : flags_) {
    std::string head = f.alias.empty() ? f.name : f.alias + ", " + f.name;
    if (f.kind != FlagKind::kSwitch) head += " " + f.value_name;
    widest = std::max(widest, head.size());
    heads.push_back(std::move(head));
  }
  std::string out;
  for (size_t i = 0; i < flags_.size(); ++i) {
    out += "  " + heads[i] + std::string(widest - heads[i].size() + 2, ' ') + flags_[i].help;
    if (flags_[i].kind == FlagKind::kRepeated) out += " (repeatable)";
    out += "\n";
  }
  return out;
}

std::string FormatUsageLine(std::string_view lead, const std::vector<std::string>& items,
                            size_t width) {
  std::string out(lead);
  size_t column = lead.size();
  bool line_has_item = false;
  for (const std::string& item : items) {
    if (line_has_item && column + 1 + item.size() > width) {
      out += "\n" + std::string(lead.size(), ' ');
      column = lead.size();
    }
    out += " " + item;
    column += 1 + item.size();
    line_has_item = true;
  }
  return out + "\n";
}

}  // namespace memsecret
