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

Status Rotator::StepError(const std::string& step, const Status& status,
                          const std::string& client_id) {
  Report(step, "error", client_id, "", status.message());
  return status.WithContext(step);
}

RotationOutcome Rotator::Outcome(const Status& status) const {
  if (status.ok()) return {};
  return {census_timed_out_ ? RotationExit::kCensusTimeout : RotationExit::kFailed,
          status.message()};
}

RotationOutcome Rotator::Fail(const std::string& step, const Status& status,
                              const std::string& client_id) {
  return Outcome(StepError(step, status, client_id));
}

Status Rotator::Verify(const SecretValue& document) {
  Status last;
  for (int i = 0; i < std::max(1, o_.verify_attempts); ++i) {
    if (i > 0) d_.sleep(o_.verify_pause);
    last = d_.verify(document);
    if (last.ok()) return last;
    // A rejection may be propagation delay (a new client needs a moment), a
    // transport failure may pass; anything else is final.
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

Status Rotator::DeleteWhenUnused(const std::string& client_id, const std::string& why) {
  if (o_.dry_run) {
    Report("delete_client", "planned", client_id, "", why);
    return Status::Ok();
  }
  if (d_.census != nullptr) {
    const WallTime deadline = d_.clock->Now() + o_.census_timeout;
    const auto pause = std::clamp<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(o_.census_timeout) / 10,
        std::chrono::milliseconds(200), std::chrono::seconds(15));
    bool said = false;
    for (;;) {
      auto reported = d_.census->Reports(client_id);
      if (!reported.ok()) return StepError("census", reported.status(), client_id);
      if (!*reported) break;
      if (!said) Report("census", "waiting", client_id, "", "a consumer still reports this client");
      said = true;
      if (d_.clock->Now() >= deadline) {
        Report("census", "timeout", client_id, "",
               "still reported after " + Seconds(o_.census_timeout));
        census_timed_out_ = true;
        return Unavailable("client " + client_id + " is still in use after " +
                           Seconds(o_.census_timeout) + "; nothing deleted, run again later")
            .WithContext("census");
      }
      d_.sleep(pause);
    }
    Report("census", "ok", client_id, "", "no consumer reports this client");
  }
  if (Status st = d_.clients->Delete(client_id); !st.ok())
    return StepError("delete_client", st, client_id);
  Report("delete_client", "ok", client_id, "", why);
  return Status::Ok();
}

Status Rotator::ReadLineage(Lineage* l) {
  auto current = d_.store->ReadCurrent();
  if (!current.ok()) return StepError("read_current", current.status());
  l->current = std::move(current).value();
  auto facts = ReadCredentialFacts(l->current.value);
  if (!facts.ok()) return StepError("read_current", facts.status());
  l->facts = *facts;
  const std::string& a = l->facts.client_id;
  Report("read_current", "ok", a, l->current.version);

  auto a_info = d_.clients->Get(a);
  if (!a_info.ok()) return StepError("get_client", a_info.status(), a);
  if (!*a_info)
    return StepError(
        "get_client",
        FailedPrecondition("the current client " + a + " does not exist at the issuer"), a);
  l->a = **a_info;

  // P: from the document (written by a rotation), else the store.
  l->p = l->facts.previous_client_id;
  if (l->p.empty()) {
    auto previous = d_.store->ReadPrevious(l->current);
    if (!previous.ok()) return StepError("read_previous", previous.status());
    if (*previous) {
      auto prev_facts = ReadCredentialFacts((*previous)->value);
      if (prev_facts.ok()) l->p = prev_facts->client_id;
    }
  }
  if (l->p == a) l->p.clear();
  Report("read_previous", "ok", l->p, "", l->p.empty() ? "no earlier client" : "");
  return Status::Ok();
}

Status Rotator::DeleteOrphans(const Lineage& l) {
  const std::string base = BaseClientName(l.a.name);
  auto all = d_.clients->List();
  if (!all.ok()) return StepError("list_clients", all.status());
  for (const oauth::OAuthClientInfo& c : *all) {
    if (c.id == l.facts.client_id || c.id == l.p) continue;
    if (c.name == base || BaseClientName(c.name) != base) continue;
    if (o_.dry_run) {
      Report("delete_orphan", "planned", c.id, "",
             "created by an interrupted rotation, never stored");
      continue;
    }
    if (Status st = d_.clients->Delete(c.id); !st.ok()) return StepError("delete_orphan", st, c.id);
    Report("delete_orphan", "ok", c.id, "", "created by an interrupted rotation, never stored");
  }
  return Status::Ok();
}

Status Rotator::DeleteRetired(const CredentialFacts& facts, const std::string& version,
                              bool report_resume, bool* acted) {
  *acted = false;
  const std::string& r = facts.retired_client_id;
  if (r.empty() || r == facts.client_id || r == facts.previous_client_id) return Status::Ok();
  auto retired = d_.clients->Get(r);
  if (!retired.ok()) return StepError("get_client", retired.status(), r);
  if (!*retired) {
    if (!report_resume) Report("delete_client", "skipped", r, "", "already deleted");
    return Status::Ok();
  }
  if (report_resume)
    Report("resume", "ok", r, version, "the last rotation did not delete its retired client");
  *acted = true;
  return DeleteWhenUnused(r, "client of the version before the replaced one");
}

Result<StagedClient> Rotator::StageFrom(const Lineage& l, const std::string& token) {
  const std::string& a = l.facts.client_id;
  if (Status st = DeleteOrphans(l); !st.ok()) return st;
  const std::string name = RotatedClientName(BaseClientName(l.a.name), d_.clock->Now());
  StagedClient staged{"", "", a, l.p, false};
  if (o_.dry_run) {
    Report("create_client", "planned", "", "", "\"" + name + "\" with the settings of " + a);
    Report("verify", "planned");
    Report(d_.store->stages() ? "stage" : "write", "planned", "", "",
           "the new client as the current version (" + a + " stays valid)");
    return staged;
  }

  auto b = d_.clients->Create(l.a, name);
  if (!b.ok()) return StepError("create_client", b.status());
  const std::string b_id = b->info.id;
  staged.client_id = b_id;
  Report("create_client", "ok", b_id, "", "\"" + name + "\"");
  // B must not linger when it is definitely not stored.
  auto drop_b = [&](const std::string& why) {
    Status deleted = d_.clients->Delete(b_id);
    Report("delete_client", deleted.ok() ? "ok" : "error", b_id, "",
           deleted.ok() ? why : deleted.message());
  };
  auto document = WithNewClient(l.current.value, b_id, b->secret, a, l.p);
  if (!document.ok()) {
    drop_b("the new version could not be composed");
    return StepError("compose", document.status(), b_id);
  }
  if (Status st = Verify(*document); !st.ok()) {
    drop_b("the new client could not mint");
    return StepError("verify", st, b_id);
  }
  Report("verify", "ok", b_id);

  // An unknown outcome (transport) leaves B for the rerun to judge: reused
  // when it was stored, deleted as an orphan when it was not.
  if (d_.store->stages()) {
    auto version = d_.store->Stage(*document, token.empty() ? StagingRequestId(b_id) : token);
    if (!version.ok()) {
      if (!version.status().retryable()) drop_b("the store refused the new version");
      return StepError("stage", version.status(), b_id);
    }
    staged.version = *version;
    Report("stage", "ok", b_id, staged.version);
  } else {
    // Refused when the store moved on since `current` was read (cas).
    auto version = d_.store->Write(l.current, *document);
    if (!version.ok()) {
      if (!version.status().retryable()) drop_b("the store refused the write");
      return StepError("write", version.status(), b_id);
    }
    staged.version = *version;
    Report("write", "ok", b_id, staged.version);
  }
  return staged;
}

Result<StagedClient> Rotator::StagePending(const std::string& token) {
  census_timed_out_ = false;
  if (!token.empty()) {
    // A step may run again (a retry): the version staged under the token is this rotation's.
    auto staged = d_.store->ReadStaged(token);
    if (!staged.ok()) return StepError("read_pending", staged.status());
    if (*staged) {
      auto f = ReadCredentialFacts((*staged)->value);
      if (!f.ok()) return StepError("read_pending", f.status());
      Report("stage", "skipped", f->client_id, token,
             "a version is already staged under the token");
      return StagedClient{f->client_id, token, f->previous_client_id, f->retired_client_id, true};
    }
  }
  Lineage l;
  if (Status st = ReadLineage(&l); !st.ok()) return st;
  return StageFrom(l, token);
}

Status Rotator::TestPending(const std::string& token) {
  auto staged = d_.store->ReadStaged(token);
  if (!staged.ok()) return StepError("read_pending", staged.status());
  if (!*staged)
    return StepError("read_pending", NotFound("no version with a value is staged under " + token));
  auto f = ReadCredentialFacts((*staged)->value);
  if (!f.ok()) return StepError("read_pending", f.status());
  if (Status st = Verify((*staged)->value); !st.ok())
    return StepError("verify", st.WithContext("the staged client " + f->client_id + " cannot mint"),
                     f->client_id);
  Report("verify", "ok", f->client_id, token);
  return Status::Ok();
}

Status Rotator::FinishFrom(const StoredVersion& current, const std::string& token) {
  SecretValue document = current.value;
  if (!d_.store->stages() && current.version != token) {
    // A one-step store's write made the token's version current.
    auto written = d_.store->ReadCurrent();
    if (!written.ok()) return StepError("read_current", written.status());
    if (written->version != token)
      return StepError("read_current", FailedPrecondition("the current version is " +
                                                          written->version + ", not " + token));
    document = written->value;
  } else if (current.version != token) {
    auto staged = d_.store->ReadStaged(token);
    if (!staged.ok()) return StepError("read_pending", staged.status());
    if (!*staged)
      return StepError("read_pending",
                       NotFound("no version with a value is staged under " + token));
    document = (*staged)->value;
  }
  auto f = ReadCredentialFacts(document);
  if (!f.ok()) return StepError("read_pending", f.status());
  if (!d_.store->stages()) {
    // Nothing to move: the write was the promotion.
  } else if (current.version == token) {
    Report("promote", "skipped", f->client_id, token, "already current");
  } else if (o_.dry_run) {
    Report("promote", "planned", f->client_id, token);
  } else {
    if (Status st = d_.store->Promote(current, token); !st.ok())
      return StepError("promote", st, f->client_id);
    Report("promote", "ok", f->client_id, token);
  }
  bool acted = false;
  return DeleteRetired(*f, token, false, &acted);
}

Status Rotator::FinishPending(const std::string& token) {
  census_timed_out_ = false;
  auto current = d_.store->ReadCurrent();
  if (!current.ok()) return StepError("read_current", current.status());
  return FinishFrom(*current, token);
}

RotationOutcome Rotator::RotateClient() {
  census_timed_out_ = false;
  Lineage l;
  if (Status st = ReadLineage(&l); !st.ok()) return Outcome(st);
  const std::string& a = l.facts.client_id;

  // A staged version from an interrupted run: finish it if its client mints.
  auto pending = d_.store->ReadPending(l.current);
  if (!pending.ok()) return Fail("read_pending", pending.status());
  if (*pending) {
    auto pf = ReadCredentialFacts((*pending)->value);
    if (pf.ok() && pf->client_id != a && pf->previous_client_id == a &&
        Verify((*pending)->value).ok()) {
      Report("resume", "ok", pf->client_id, (*pending)->version, "a staged version mints");
      if (Status st = FinishFrom(l.current, (*pending)->version); !st.ok()) return Outcome(st);
      if (o_.dry_run) return {RotationExit::kDone, "dry run: would finish the staged rotation"};
      return {RotationExit::kDone, "finished the interrupted rotation: client " + pf->client_id +
                                       " is current, " + a +
                                       " stays valid until the next rotation"};
    }
    Report("resume", "skipped", pf.ok() ? pf->client_id : "", (*pending)->version,
           "the staged version does not mint; it will be replaced");
  }

  // The current version's retired client still exists: finish that delete.
  bool acted = false;
  if (Status st = DeleteRetired(l.facts, l.current.version, true, &acted); !st.ok())
    return Outcome(st);
  if (acted)
    return {RotationExit::kDone,
            "finished the interrupted rotation: deleted client " + l.facts.retired_client_id};

  std::string why;
  if (!Due(l.current, &why)) {
    Report("due", "skipped", a, l.current.version, why);
    return {RotationExit::kDone, "nothing due: " + why};
  }
  if (!why.empty()) Report("due", "ok", a, l.current.version, why);

  auto staged = StageFrom(l, "");
  if (!staged.ok()) return Outcome(staged.status());
  if (o_.dry_run) {
    if (!l.p.empty())
      if (Status st = DeleteWhenUnused(l.p, "client of the version before the replaced one");
          !st.ok())
        return Outcome(st);
    return {RotationExit::kDone, "dry run: nothing changed"};
  }
  if (Status st = FinishFrom(l.current, staged->version); !st.ok()) return Outcome(st);
  return {RotationExit::kDone, "rotated: client " + staged->client_id + " is current (version " +
                                   staged->version + "); " + a +
                                   " stays valid until the next rotation"};
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
