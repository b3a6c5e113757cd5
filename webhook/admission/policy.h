// Policy: which refs, issuers and backend addresses a pod may use (docs/configuration.md).
// Ordered rules; the first rule whose namespace globs match the request
// namespace decides; every ref must match one of its allow globs after
// {namespace} and {serviceAccount} are substituted. Pure.
#pragma once

#include <string>

#include "webhook/admission/annotations.h"
#include "webhook/admission/problems.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {

// Adds a kPolicy problem for each forbidden ref, issuer URL or backend address
// (each backend's allowlist: Backend::check_policy).
void CheckPolicy(const PodInjectionSpec& spec, const Config& config,
                 const std::string& namespace_name, const std::string& service_account,
                 Problems* problems);

}  // namespace memsecret::webhook
