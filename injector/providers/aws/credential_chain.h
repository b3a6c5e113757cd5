// Chooses where the injector's AWS credentials come from, in order:
//  1. the plan's roleArn with the plan's (or env's) web identity token file;
//  2. AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME);
//  3. EKS Pod Identity / ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI (or
//     _RELATIVE_URI) + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE/_TOKEN;
//  4. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN].
// Start-up misconfiguration (e.g. a role without a token file) is an error
// naming the missing variable.
#pragma once

#include <chrono>
#include <memory>

#include "injector/base/environment.h"
#include "injector/base/http_client.h"
#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/aws/credentials.h"
#include "memsecret/clock.h"

namespace memsecret::injector::aws {

// `sts_endpoint` and `sts_timeout` are used for web identity. `http`/`clock`
// must outlive the result.
Result<std::unique_ptr<CredentialSource>> SelectCredentialSource(
    const AwsSettings& plan, const Environment& env, const std::string& sts_endpoint,
    HttpClient& http, const Clock& clock,
    std::chrono::milliseconds sts_timeout = std::chrono::seconds(10));

}  // namespace memsecret::injector::aws
