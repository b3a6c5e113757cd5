#include "injector/lambda/genesys_rotation_steps.h"

#include <algorithm>

#include "injector/rotation/credential_document.h"

namespace memsecret::injector::lambda {

void GenesysRotationSteps::Report(const std::string& secret_id, std::string step,
                                  std::string outcome, std::string client_id, std::string version,
                                  std::string detail) {
  if (d_.report)
    d_.report(secret_id, {std::move(step), std::move(outcome), std::move(client_id),
                          std::move(version), std::move(detail)});
}

Result<FetchedSecret> GenesysRotationSteps::Read(const std::string& secret_id, const char* stage,
                                                 const std::string& version) {
  SecretRef ref;
  ref.provider = Provider::kAws;
  ref.path = secret_id;
  FetchOptions options;
  if (stage != nullptr) options.stage = stage;
  if (!version.empty()) options.version = version;
  FetchResult r = d_.reader->Fetch(ref, options);
  if (!r.ok()) return r.status;
  return std::move(*r.secret);
}

Result<std::optional<FetchedSecret>> GenesysRotationSteps::ReadIfThere(const std::string& secret_id,
                                                                       const char* stage,
                                                                       const std::string& version) {
  auto r = Read(secret_id, stage, version);
  if (r.ok()) return std::optional<FetchedSecret>(std::move(r).value());
  if (r.status().code() == Code::kNotFound) return std::optional<FetchedSecret>();
  return r.status();
}

Result<bool> GenesysRotationSteps::CheckEvent(const std::string& secret_id,
                                              const std::string& token) {
  auto state = d_.describe(secret_id);
  if (!state.ok()) return state.status();
  if (!state->rotation_enabled) return FailedPrecondition("rotation is not enabled for the secret");
  auto it = state->version_stages.find(token);
  if (it == state->version_stages.end())
    return FailedPrecondition("version " + token + " has no stage for rotation");
  auto has = [&](const char* stage) {
    return std::find(it->second.begin(), it->second.end(), stage) != it->second.end();
  };
  if (has("AWSCURRENT")) return false;
  if (!has("AWSPENDING"))
    return FailedPrecondition("version " + token + " is not set as AWSPENDING for rotation");
  return true;
}

Status GenesysRotationSteps::CreateSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  if (!*work) {
    Report(secret_id, "stage", "skipped", "", token, "the version is already AWSCURRENT");
    return Status::Ok();
  }
  auto current = Read(secret_id, "AWSCURRENT");
  if (!current.ok()) return current.status().WithContext("reading AWSCURRENT");
  // Secrets Manager may call a step again: a version with this token that
  // holds AWSPENDING and a value is this rotation's, made by the first call.
  auto pending = ReadIfThere(secret_id, "AWSPENDING", token);
  if (!pending.ok()) return pending.status().WithContext("reading AWSPENDING");
  if (*pending) {
    auto pf = rotation::ReadCredentialFacts((*pending)->value);
    Report(secret_id, "stage", "skipped", pf.ok() ? pf->client_id : "", token,
           "AWSPENDING already holds this token's version");
    return Status::Ok();
  }
  auto facts = rotation::ReadCredentialFacts(current->value);
  if (!facts.ok()) return facts.status().WithContext("AWSCURRENT");
  const std::string a = facts->client_id;
  Report(secret_id, "read_current", "ok", a, current->version);

  std::string p = facts->previous_client_id;
  if (p.empty()) {
    auto previous = ReadIfThere(secret_id, "AWSPREVIOUS");
    if (!previous.ok()) return previous.status().WithContext("reading AWSPREVIOUS");
    if (*previous) {
      auto pf = rotation::ReadCredentialFacts((*previous)->value);
      if (pf.ok()) p = pf->client_id;
    }
  }
  if (p == a) p.clear();

  auto clients = d_.open_clients(current->value);
  if (!clients.ok()) return clients.status();
  auto a_info = (*clients)->Get(a);
  if (!a_info.ok()) return a_info.status().WithContext("client " + a);
  if (!*a_info) return FailedPrecondition("the current client " + a + " does not exist at Genesys");

  // Clients of this lineage that no version knows: a create whose store
  // never happened (the function timed out or crashed in between).
  const std::string base = rotation::BaseClientName((*a_info)->name);
  auto all = (*clients)->List();
  if (!all.ok()) return all.status().WithContext("listing clients");
  for (const oauth::OAuthClientInfo& c : *all) {
    if (c.id == a || c.id == p || c.name == base || rotation::BaseClientName(c.name) != base)
      continue;
    if (Status st = (*clients)->Delete(c.id); !st.ok())
      return st.WithContext("deleting orphan client " + c.id);
    Report(secret_id, "delete_orphan", "ok", c.id, "", "created by an interrupted rotation");
  }

  const std::string name = rotation::RotatedClientName(base, d_.clock->Now());
  auto b = (*clients)->Create(**a_info, name);
  if (!b.ok()) return b.status().WithContext("creating the new client");
  const std::string b_id = b->info.id;
  Report(secret_id, "create_client", "ok", b_id, "", "\"" + name + "\"");
  auto document = rotation::WithNewClient(current->value, b_id, b->secret, a, p);
  Status staged = document.status();
  if (staged.ok()) staged = d_.stage(secret_id, *document, token);
  if (!staged.ok()) {
    // Definitely not stored: B must not linger. An unknown outcome
    // (transport) leaves B for the retry (reused) or the next one (orphan).
    if (!staged.retryable()) (void)(*clients)->Delete(b_id);
    return staged.WithContext("storing the new client as AWSPENDING");
  }
  Report(secret_id, "stage", "ok", b_id, token);
  return Status::Ok();
}

Status GenesysRotationSteps::SetSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  Report(secret_id, "set", "skipped", "", token, "a Genesys client is usable once created");
  return Status::Ok();
}

Status GenesysRotationSteps::TestSecret(const std::string& secret_id, const std::string& token) {
  auto work = CheckEvent(secret_id, token);
  if (!work.ok()) return work.status();
  if (!*work) {
    Report(secret_id, "verify", "skipped", "", token, "the version is already AWSCURRENT");
    return Status::Ok();
  }
  auto pending = Read(secret_id, "AWSPENDING", token);
  if (!pending.ok()) return pending.status().WithContext("reading AWSPENDING");
  auto facts = rotation::ReadCredentialFacts(pending->value);
  if (!facts.ok()) return facts.status().WithContext("AWSPENDING");
  Status last;
  for (int i = 0; i < std::max(1, d_.verify_attempts); ++i) {
    if (i > 0) d_.sleep(d_.verify_pause);
    last = d_.verify(pending->value);
    // Only a rejection may be a client that is not usable yet.
    if (last.ok() || last.code() != Code::kUnauthenticated) break;
  }
  if (!last.ok()) {
    Report(secret_id, "verify", "error", facts->client_id, token, last.message());
    return last.WithContext("the AWSPENDING client " + facts->client_id + " cannot mint");
  }
  Report(secret_id, "verify", "ok", facts->client_id, token);
  return Status::Ok();
}

Status GenesysRotationSteps::FinishSecret(const std::string& secret_id, const std::string& token) {
  if (auto work = CheckEvent(secret_id, token); !work.ok()) return work.status();
  auto current = Read(secret_id, "AWSCURRENT");
  if (!current.ok()) return current.status().WithContext("reading AWSCURRENT");
  auto next = Read(secret_id, nullptr, token);
  if (!next.ok()) return next.status().WithContext("reading version " + token);
  auto facts = rotation::ReadCredentialFacts(next->value);
  if (!facts.ok()) return facts.status().WithContext("version " + token);
  if (current->version != token) {
    if (Status st = d_.promote(secret_id, token, current->version); !st.ok())
      return st.WithContext("moving AWSCURRENT");
    Report(secret_id, "promote", "ok", facts->client_id, token);
  } else {
    Report(secret_id, "promote", "skipped", facts->client_id, token, "already AWSCURRENT");
  }
  // P, the client of the rotation before last; the replaced client stays.
  const std::string& p = facts->retired_client_id;
  if (p.empty() || p == facts->client_id || p == facts->previous_client_id) return Status::Ok();
  auto clients = d_.open_clients(next->value);
  if (!clients.ok()) return clients.status();
  if (Status st = (*clients)->Delete(p); !st.ok())
    return st.WithContext("deleting client " + p + " (the rotation before last)");
  Report(secret_id, "delete_client", "ok", p, "", "client of the version before the replaced one");
  return Status::Ok();
}

}  // namespace memsecret::injector::lambda
