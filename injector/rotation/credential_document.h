// The credential document a rotation rewrites: the JSON object stored at the
// credential ref (docs/annotations.md fields, either spelling). A rotation
// replaces only the client's id and secret (or a CXone key pair) and keeps
// every other field (`region`, `domain`, `base_url`, ...) as it was, in the
// spelling it was written in. It also records two non-secret ids that make
// the next run safe (docs/rotation.md):
//   previousClientId  the client this version replaced (deleted by the
//                     rotation after the next one);
//   retiredClientId   the client this rotation deletes once no consumer
//                     reports it; a rerun after a crash finishes that delete.
// Pure. Errors never contain a value.
#pragma once

#include <string>

#include "injector/base/secret_value.h"
#include "memsecret/status.h"

namespace memsecret::injector::rotation {

inline constexpr const char* kPreviousClientIdField = "previousClientId";
inline constexpr const char* kRetiredClientIdField = "retiredClientId";

// The non-secret facts of one stored version.
struct CredentialFacts {
  std::string client_id;           // clientId/client_id, else accessKeyId/apiKey (CXone)
  std::string previous_client_id;  // previousClientId ("" when absent)
  std::string retired_client_id;   // retiredClientId ("" when absent)
};

Result<CredentialFacts> ReadCredentialFacts(const SecretValue& document);

// `document` with the client id and secret replaced (the spelling the
// document uses; camelCase when it has none), previousClientId/retiredClientId
// set (removed when empty).
Result<SecretValue> WithNewClient(const SecretValue& document, const std::string& client_id,
                                  const SecretValue& client_secret,
                                  const std::string& previous_client_id,
                                  const std::string& retired_client_id);

// `document` with every credential field of `replacement` (a person's new key
// pair or client, --new-from-file) written over it; other fields kept.
// kInvalidArgument when `replacement` is not a JSON object or has no id.
Result<SecretValue> WithReplacement(const SecretValue& document, const SecretValue& replacement,
                                    const std::string& previous_client_id);

}  // namespace memsecret::injector::rotation
