#include "injector/rotation/prometheus_census.h"

#include <nlohmann/json.hpp>

#include "injector/base/percent_encoding.h"

namespace memsecret::injector::rotation {

using nlohmann::json;

std::string CredentialInfoQuery(const std::string& client_id) {
  std::string escaped;
  for (char c : client_id) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return "memsecret_injector_credential_info{client_id=\"" + escaped + "\"}";
}

Result<bool> PrometheusCensus::Reports(const std::string& client_id) {
  HttpRequest req;
  req.url = base_url_ + "/api/v1/query?query=" + FormUrlEncode(CredentialInfoQuery(client_id));
  req.headers = {{"Accept", "application/json"}};
  auto resp = http_->Send(req);
  if (!resp.ok()) return resp.status().WithContext("prometheus");
  if (resp->status != 200)
    return Unavailable("prometheus: query answered HTTP " + std::to_string(resp->status));
  json j = json::parse(resp->body, nullptr, false);
  if (!j.is_object() || j.value("status", "") != "success" || !j.contains("data") ||
      !j["data"].is_object() || j["data"].value("resultType", "") != "vector" ||
      !j["data"].contains("result") || !j["data"]["result"].is_array())
    return Unavailable("prometheus: the answer is not a successful instant vector");
  return !j["data"]["result"].empty();
}

}  // namespace memsecret::injector::rotation
