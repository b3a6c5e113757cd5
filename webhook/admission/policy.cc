#include "webhook/admission/policy.h"

#include <algorithm>

#include "memsecret/glob.h"
#include "memsecret/plan/backend_settings.h"

namespace memsecret::webhook {

void CheckPolicy(const PodInjectionSpec& spec, const Config& config, const std::string& ns,
                 const std::string& sa, Problems* problems) {
  auto deny = [&](const std::string& msg) {
    problems->push_back({ProblemKind::kPolicy, "policy: " + msg});
  };

  // Allowlists first: they hold whatever rule matches.
  for (const auto& f : spec.files) {
    if (!f.token) continue;
    const IssuerRef& issuer = f.token->issuer;
    if (issuer.kind == IssuerKind::kGeneric) {
      const auto& allowed = config.oauth.allowed_token_urls;
      if (std::find(allowed.begin(), allowed.end(), issuer.url) == allowed.end())
        deny("issuer " + issuer.url + " for \"" + f.name + "\" is not in oauth.allowedTokenUrls");
    }
  }
  // The backends' own allowlists (the Vault address).
  PlanNotes notes;
  CheckBackendPolicy(spec, config.backends, &notes);
  for (const std::string& denial : notes.policy) deny(denial);

  if (spec.files.empty()) return;
  const PolicyRule* rule = nullptr;
  for (const auto& r : config.policy) {
    if (std::any_of(r.namespaces.begin(), r.namespaces.end(),
                    [&](const std::string& g) { return GlobMatch(g, ns); })) {
      rule = &r;
      break;
    }
  }
  if (!rule) {
    deny(config.policy.empty()
             ? "the policy has no rules, so no namespace may read secrets (render: pass --config "
               "with the webhook configuration)"
             : "no rule matches namespace " + ns);
    return;
  }
  for (const auto& f : spec.files) {
    std::string key = f.ref.PolicyKey();
    bool allowed =
        std::any_of(rule->allow.begin(), rule->allow.end(), [&](const std::string& pattern) {
          return GlobMatch(SubstitutePodVars(pattern, ns, sa), key);
        });
    if (!allowed)
      deny("ref " + key + " (for \"" + f.name + "\") is not allowed in namespace " + ns +
           " for service account " + sa);
  }
}

}  // namespace memsecret::webhook
