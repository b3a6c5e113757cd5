#include "injector/rotate_args.h"

#include <functional>

#include "memsecret/duration.h"

namespace memsecret::injector {

namespace {

// A duration up to kMaxRotationAge, the problem named after `flag`.
std::function<Status(const std::string&)> StoreAge(const char* flag, std::chrono::seconds* field) {
  return [flag, field](const std::string& v) {
    auto d = ParseDuration(v, kMaxRotationAge);
    if (!d.ok()) return d.status().WithContext(flag);
    *field = *d;
    return Status::Ok();
  };
}

}  // namespace

FlagTable RotateFlags(RotateArgs* out) {
  return FlagTable(
      "rotate",
      {{"--issuer", "", FlagKind::kValue, "ISSUER",
        "the issuer of the client (genesys, cxone, ...)", StoreIn(&out->issuer)},
       {"--admin", "", FlagKind::kValue, "ADMIN_REF", "the admin client's credentials",
        StoreIn(&out->admin)},
       {"--new-from-file", "", FlagKind::kValue, "FILE|-",
        "assisted: store these credentials (- reads stdin)", StoreIn(&out->new_from_file)},
       {"--prometheus", "", FlagKind::kValue, "URL",
        "ask this Prometheus who still uses the old client", StoreIn(&out->prometheus)},
       {"--census-timeout", "", FlagKind::kValue, "DUR",
        "give up waiting for the old client to be unused (1h)",
        StoreAge("--census-timeout", &out->census_timeout)},
       {"--if-older-than", "", FlagKind::kValue, "DUR", "rotate only a version older than DUR",
        [out](const std::string& v) {
          std::chrono::seconds age{};
          if (Status st = StoreAge("--if-older-than", &age)(v); !st.ok()) return st;
          out->if_older_than = age;
          return Status::Ok();
        }},
       {"--dry-run", "", FlagKind::kSwitch, "", "say what would be done, change nothing",
        SetTrue(&out->dry_run)}});
}

bool ParseRotateArgs(const std::vector<std::string>& args, RotateArgs* out,
                     std::vector<std::string>* problems) {
  const size_t before = problems->size();
  FlagOperands words = RotateFlags(out).Parse(args, problems);
  std::vector<std::string> operands = std::move(words.before_end);
  operands.insert(operands.end(), words.after_end.begin(), words.after_end.end());
  if (operands.empty()) problems->push_back("REF is required");
  for (size_t i = 1; i < operands.size(); ++i)
    problems->push_back("unexpected argument \"" + operands[i] + "\"");
  if (!operands.empty()) out->ref = operands[0];
  return problems->size() == before;
}

}  // namespace memsecret::injector
