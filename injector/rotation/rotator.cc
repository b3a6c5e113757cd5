#include "injector/rotation/rotator.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "injector/rotation/credential_document.h"
#include "memsecret/duration.h"
#include "memsecret/rfc3339.h"

namespace memsecret::injector::rotation {
namespace {

std::string CompactUtc(WallTime t) {
  std::string s = FormatRfc3339(t);  // 2026-12-07T01:02:03Z
  std::erase(s, '-');
  std::erase(s, ':');
  return s;
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

}  // namespace

std::string BaseClientName(const std::string& name) {
  size_t at = name.rfind(kRotationMarker);
  if (at == std::string::npos || name.empty() || name.back() != ')') return name;
  return name.substr(0, at);
}

std::string StagingRequestId(const std::string& client_id) {
  std::string id = client_id.size() >= 32 ? client_id : "memsecret-rotation-" + client_id;
  for (char& c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  while (id.size() < 32) id += '-';
  return id.substr(0, 64);
}

std::string RotatedClientName(const std::string& base, WallTime now) {
  return base + kRotationMarker + CompactUtc(now) + ")";
}

void Rotator::Report(std::string step, std::string outcome, std::string client_id,
                     std::string version, std::string detail) {
  if (d_.report)
    d_.report({std::move(step), std::move(outcome), std::move(client_id), std::move(version),
               std::move(detail)});
}

RotationOutcome Rotator::Fail(const std::string& step, const Status& status,
                              const std::string& client_id) {
  Report(step, "error", client_id, "", status.message());
  return {RotationExit::kFailed, step + ": " + status.message()};
}

Status Rotator::Verify(const SecretValue& document) {
  Status last;
  for (int i = 0; i < std::max(1, o_.verify_attempts); ++i) {
    if (i > 0) d_.sleep(o_.verify_pause);
    last = d_.verify(document);
    if (last.ok()) return last;
    // Only a rejection may be propagation delay; anything else is final.
    if (last.code() != Code::kUnauthenticated && !last.retryable()) return last;
  }
  return last;
}

bool Rotator::Due(const StoredVersion& current, std::string* why) const {
  if (!o_.if_older_than) return true;
  if (!current.created) {
    *why = "the store does not say when the current version was created";
    return true;
  }
  const auto age =
      std::chrono::duration_cast<std::chrono::seconds>(d_.clock->Now() - *current.created);
  *why = "current version " + current.version + " is " + Seconds(age) + " old (rotate after " +
         Seconds(*o_.if_older_than) + ")";
  return age >= *o_.if_older_than;
}

RotationOutcome Rotator::DeleteWhenUnused(const std::string& client_id, const std::string& why) {
  if (o_.dry_run) {
    Report("delete_client", "planned", client_id, "", why);
    return {};
  }
  if (d_.census != nullptr) {
    const WallTime deadline = d_.clock->Now() + o_.census_timeout;
    const auto pause = std::clamp<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(o_.census_timeout) / 10,
        std::chrono::milliseconds(200), std::chrono::seconds(15));
    bool said = false;
    for (;;) {
      auto reported = d_.census->Reports(client_id);
      if (!reported.ok()) return Fail("census", reported.status(), client_id);
      if (!*reported) break;
      if (!said) Report("census", "waiting", client_id, "", "a consumer still reports this client");
      said = true;
      if (d_.clock->Now() >= deadline) {
        Report("census", "timeout", client_id, "",
               "still reported after " + Seconds(o_.census_timeout));
        return {RotationExit::kCensusTimeout,
                "census: client " + client_id + " is still in use after " +
                    Seconds(o_.census_timeout) + "; nothing deleted, run again later"};
      }
      d_.sleep(pause);
    }
    Report("census", "ok", client_id, "", "no consumer reports this client");
  }
  if (Status st = d_.clients->Delete(client_id); !st.ok())
    return Fail("delete_client", st, client_id);
  Report("delete_client", "ok", client_id, "", why);
  return {};
}

RotationOutcome Rotator::RotateClient() {
  auto current = d_.store->ReadCurrent();
  if (!current.ok()) return Fail("read_current", current.status());
  auto facts = ReadCredentialFacts(current->value);
  if (!facts.ok()) return Fail("read_current", facts.status());
  const std::string a = facts->client_id;
  Report("read_current", "ok", a, current->version);

  auto a_info = d_.clients->Get(a);
  if (!a_info.ok()) return Fail("get_client", a_info.status(), a);
  if (!*a_info)
    return Fail("get_client", NotFound("the current client does not exist at the issuer"), a);

  // 0a. A staged version from an interrupted run: finish it if its client mints.
  auto pending = d_.store->ReadPending(*current);
  if (!pending.ok()) return Fail("read_pending", pending.status());
  std::string pending_client;
  if (*pending) {
    auto pf = ReadCredentialFacts((*pending)->value);
    if (pf.ok() && pf->client_id != a && pf->previous_client_id == a &&
        Verify((*pending)->value).ok()) {
      pending_client = pf->client_id;
      Report("resume", "ok", pending_client, (*pending)->version, "a staged version mints");
      if (o_.dry_run) {
        Report("promote", "planned", pending_client, (*pending)->version);
        if (!pf->retired_client_id.empty())
          return DeleteWhenUnused(pf->retired_client_id, "client of the version before the last");
        return {RotationExit::kDone, "dry run: would finish the staged rotation"};
      }
      if (Status st = d_.store->Promote(*current, (*pending)->version); !st.ok())
        return Fail("promote", st, pending_client);
      Report("promote", "ok", pending_client, (*pending)->version);
      if (!pf->retired_client_id.empty() && pf->retired_client_id != a &&
          pf->retired_client_id != pending_client) {
        RotationOutcome del = DeleteWhenUnused(pf->retired_client_id,
                                               "client of the version before the replaced one");
        if (del.exit != RotationExit::kDone) return del;
      }
      return {RotationExit::kDone, "finished the interrupted rotation: client " + pending_client +
                                       " is current, " + a +
                                       " stays valid until the next rotation"};
    }
    Report("resume", "skipped", pf.ok() ? pf->client_id : "", (*pending)->version,
           "the staged version does not mint; it will be replaced");
  }

  // 0b. The current version's retired client still exists: finish that delete.
  if (!facts->retired_client_id.empty() && facts->retired_client_id != a &&
      facts->retired_client_id != facts->previous_client_id) {
    auto retired = d_.clients->Get(facts->retired_client_id);
    if (!retired.ok()) return Fail("get_client", retired.status(), facts->retired_client_id);
    if (*retired) {
      Report("resume", "ok", facts->retired_client_id, current->version,
             "the last rotation did not delete its retired client");
      RotationOutcome del = DeleteWhenUnused(facts->retired_client_id,
                                             "client of the version before the replaced one");
      if (del.exit != RotationExit::kDone) return del;
      return {RotationExit::kDone,
              "finished the interrupted rotation: deleted client " + facts->retired_client_id};
    }
  }

  // The version before A: from the document (written by a rotation) or the store.
  std::string p = facts->previous_client_id;
  if (p.empty()) {
    auto previous = d_.store->ReadPrevious(*current);
    if (!previous.ok()) return Fail("read_previous", previous.status());
    if (*previous) {
      auto prev_facts = ReadCredentialFacts((*previous)->value);
      if (prev_facts.ok()) p = prev_facts->client_id;
    }
  }
  if (p == a) p.clear();
  Report("read_previous", "ok", p, "", p.empty() ? "no earlier client" : "");

  // 0c. Orphans: clients this lineage created that no version knows.
  const std::string base = BaseClientName((*a_info)->name);
  auto all = d_.clients->List();
  if (!all.ok()) return Fail("list_clients", all.status());
  for (const oauth::OAuthClientInfo& c : *all) {
    if (c.id == a || c.id == p || c.id == pending_client) continue;
    if (c.name == base || BaseClientName(c.name) != base) continue;
    if (o_.dry_run) {
      Report("delete_orphan", "planned", c.id, "",
             "created by an interrupted rotation, never stored");
      continue;
    }
    if (Status st = d_.clients->Delete(c.id); !st.ok()) return Fail("delete_orphan", st, c.id);
    Report("delete_orphan", "ok", c.id, "", "created by an interrupted rotation, never stored");
  }

  // 1. Due?
  std::string why;
  if (!Due(*current, &why)) {
    Report("due", "skipped", a, current->version, why);
    return {RotationExit::kDone, "nothing due: " + why};
  }
  if (!why.empty()) Report("due", "ok", a, current->version, why);

  const std::string name = RotatedClientName(base, d_.clock->Now());
  if (o_.dry_run) {
    Report("create_client", "planned", "", "", "\"" + name + "\" with the settings of " + a);
    Report("verify", "planned");
    Report(d_.store->stages() ? "stage" : "write", "planned", "", "",
           "the new client as the current version (" + a + " stays valid)");
    if (!p.empty()) return DeleteWhenUnused(p, "client of the version before the replaced one");
    return {RotationExit::kDone, "dry run: nothing changed"};
  }

  // 2. Create B.
  auto b = d_.clients->Create(**a_info, name);
  if (!b.ok()) return Fail("create_client", b.status());
  const std::string b_id = b->info.id;
  Report("create_client", "ok", b_id, "", "\"" + name + "\"");
  auto document = WithNewClient(current->value, b_id, b->secret, a, p);
  if (!document.ok()) {
    (void)d_.clients->Delete(b_id);
    return Fail("compose", document.status(), b_id);
  }

  // 3. Verify.
  if (Status st = Verify(*document); !st.ok()) {
    Status deleted = d_.clients->Delete(b_id);
    Report("delete_client", deleted.ok() ? "ok" : "error", b_id, "",
           deleted.ok() ? "the new client could not mint" : deleted.message());
    return Fail("verify", st, b_id);
  }
  Report("verify", "ok", b_id);

  // 4. Store.
  std::string new_version;
  if (d_.store->stages()) {
    auto staged = d_.store->Stage(*document, StagingRequestId(b_id));
    if (!staged.ok()) return Fail("stage", staged.status(), b_id);  // a rerun resumes or cleans up
    Report("stage", "ok", b_id, *staged);
    if (Status st = d_.store->Promote(*current, *staged); !st.ok())
      return Fail("promote", st, b_id);
    new_version = *staged;
    Report("promote", "ok", b_id, new_version);
  } else {
    auto written = d_.store->Write(*current, *document);
    if (!written.ok()) {
      // Definitely not written (cas refused, denied): B must not linger. An
      // unknown outcome (transport) leaves B for the rerun to judge.
      if (!written.status().retryable()) {
        Status deleted = d_.clients->Delete(b_id);
        Report("delete_client", deleted.ok() ? "ok" : "error", b_id, "",
               "the store refused the write");
      }
      return Fail("write", written.status(), b_id);
    }
    new_version = *written;
    Report("write", "ok", b_id, new_version);
  }

  // 5. Delete P.
  if (!p.empty() && p != b_id) {
    RotationOutcome del = DeleteWhenUnused(p, "client of the version before the replaced one");
    if (del.exit != RotationExit::kDone) return del;
  }
  return {RotationExit::kDone, "rotated: client " + b_id + " is current (version " + new_version +
                                   "); " + a + " stays valid until the next rotation"};
}

RotationOutcome Rotator::StoreReplacement(const SecretValue& replacement) {
  auto current = d_.store->ReadCurrent();
  if (!current.ok()) return Fail("read_current", current.status());
  auto facts = ReadCredentialFacts(current->value);
  if (!facts.ok()) return Fail("read_current", facts.status());
  const std::string a = facts->client_id;
  Report("read_current", "ok", a, current->version);
  auto document = WithReplacement(current->value, replacement, a);
  if (!document.ok()) return Fail("read_new", document.status());
  auto new_facts = ReadCredentialFacts(*document);
  if (!new_facts.ok()) return Fail("read_new", new_facts.status());
  const std::string b = new_facts->client_id;
  if (b == a) {
    Report("due", "skipped", a, current->version, "the new credentials are already current");
    return {RotationExit::kDone, "nothing to do: " + a + " is already current"};
  }
  if (o_.dry_run) {
    Report("verify", "planned", b);
    Report(d_.store->stages() ? "stage" : "write", "planned", b);
    return {RotationExit::kDone, "dry run: nothing changed"};
  }
  if (Status st = Verify(*document); !st.ok()) return Fail("verify", st, b);
  Report("verify", "ok", b);
  std::string version;
  if (d_.store->stages()) {
    auto staged = d_.store->Stage(*document, StagingRequestId(b));
    if (!staged.ok()) return Fail("stage", staged.status(), b);
    Report("stage", "ok", b, *staged);
    if (Status st = d_.store->Promote(*current, *staged); !st.ok()) return Fail("promote", st, b);
    version = *staged;
    Report("promote", "ok", b, version);
  } else {
    auto written = d_.store->Write(*current, *document);
    if (!written.ok()) return Fail("write", written.status(), b);
    version = *written;
    Report("write", "ok", b, version);
  }
  Report("delete_client", "planned", a, "", "delete this old key once every consumer uses " + b);
  return {RotationExit::kDone, "stored " + b + " (version " + version +
                                   "); once every consumer uses it, delete the old key " + a};
}

}  // namespace memsecret::injector::rotation
