// PrometheusCensus: asks Prometheus' HTTP API whether any injector still
// reports a client id, through the series every token file exports
// (memsecret_injector_credential_info{file,ref,client_id} 1):
//   GET <url>/api/v1/query?query=memsecret_injector_credential_info{client_id="<id>"}
// A non-empty vector means "in use". An answer that is not
// {"status":"success","data":{"resultType":"vector",...}} is an error (the
// census must not say "unused" because it could not tell). Not thread-safe.
#pragma once

#include <string>

#include "injector/base/http_client.h"
#include "injector/rotation/rotator.h"

namespace memsecret::injector::rotation {

class PrometheusCensus final : public Census {
 public:
  // `base_url`: "http://127.0.0.1:9090" (https, or http to loopback);
  // `http` must outlive the census.
  PrometheusCensus(std::string base_url, HttpClient* http)
      : base_url_(std::move(base_url)), http_(http) {}
  Result<bool> Reports(const std::string& client_id) override;

 private:
  std::string base_url_;
  HttpClient* http_;
};

// The PromQL selector for one client id (the id escaped for a label value).
std::string CredentialInfoQuery(const std::string& client_id);

}  // namespace memsecret::injector::rotation
