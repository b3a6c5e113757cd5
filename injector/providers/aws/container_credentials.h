// Container credentials: EKS Pod Identity (and ECS) agents, and static keys
// from the environment (docs/backends.md §3.3).
#pragma once

#include <memory>
#include <string>

#include "injector/base/http_client.h"
#include "injector/providers/aws/credentials.h"

namespace memsecret::injector::aws {

struct ContainerCredentialsConfig {
  std::string full_uri;    // AWS_CONTAINER_CREDENTIALS_FULL_URI (or 169.254.170.2 + RELATIVE_URI)
  std::string token_file;  // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, re-read per call
  std::string token_env_value;  // AWS_CONTAINER_AUTHORIZATION_TOKEN when no file is set
};

// GET <full_uri> with `Authorization: <token>` (raw, no "Bearer"; tokens with
// CR/LF are rejected), 2 s timeout, up to 3 tries on transport errors and 5xx.
// Plain http only to loopback and the agent addresses (HttpClient enforces).
std::unique_ptr<CredentialSource> MakeContainerCredentialsSource(ContainerCredentialsConfig config,
                                                                 HttpClient& http);

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN], captured at
// construction; never expire from our point of view.
std::unique_ptr<CredentialSource> MakeStaticCredentialsSource(AwsCredentials creds);

}  // namespace memsecret::injector::aws
