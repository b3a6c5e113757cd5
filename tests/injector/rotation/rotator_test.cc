// Rotator over fakes (store, client directory, verification, census, clock):
// the alternating-clients order, a failing verification, the census gate
// (exit 3, nothing deleted), the resume rules, the three steps the rotation
// function drives (StagePending, TestPending, FinishPending) and the CLI's run
// finishing what they staged, and the credential document edits.
// GenesysClientApi's 429 handling against a scripted HTTP client.
#include "injector/rotation/rotator.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "injector/rotation/credential_document.h"
#include "injector/rotation/prometheus_census.h"

namespace memsecret::injector::rotation {
namespace {

using nlohmann::json;
using std::chrono::seconds;

SecretValue Doc(const std::string& id, const std::string& secret, json extra = json::object()) {
  extra["clientId"] = id;
  extra["clientSecret"] = secret;
  extra["domain"] = "mypurecloud.ie";
  return SecretValue(extra.dump());
}
json Parse(const SecretValue& v) { return json::parse(v.Reveal()); }

// A one-step store (as Vault) or a two-step one (as AWS): versions 1..n.
class FakeStore final : public CredentialStore {
 public:
  explicit FakeStore(bool staged) : staged_(staged) {}
  std::vector<StoredVersion> versions;
  std::optional<StoredVersion> pending;
  int writes = 0;
  Status fail_write;

  Result<StoredVersion> ReadCurrent() override { return versions.back(); }
  Result<std::optional<StoredVersion>> ReadPrevious(const StoredVersion&) override {
    if (versions.size() < 2) return std::optional<StoredVersion>();
    return std::optional<StoredVersion>(versions[versions.size() - 2]);
  }
  Result<std::optional<StoredVersion>> ReadPending(const StoredVersion&) override {
    return pending;
  }
  Result<std::optional<StoredVersion>> ReadStaged(const std::string& version) override {
    if (pending && pending->version == version) return pending;
    return std::optional<StoredVersion>();
  }
  bool stages() const override { return staged_; }
  Result<std::string> Stage(const SecretValue& v, const std::string& id) override {
    pending = StoredVersion{id, std::nullopt, v};
    return id;
  }
  Status Promote(const StoredVersion&, const std::string& version) override {
    ++writes;
    versions.push_back(*pending);
    versions.back().version = version;
    pending.reset();
    return Status::Ok();
  }
  Result<std::string> Write(const StoredVersion&, const SecretValue& v) override {
    if (!fail_write.ok()) return fail_write;
    ++writes;
    versions.push_back({std::to_string(versions.size() + 1), std::nullopt, v});
    return versions.back().version;
  }

 private:
  bool staged_;
};

class FakeClients final : public oauth::OAuthClientDirectory {
 public:
  std::map<std::string, std::pair<std::string, std::string>> clients;  // id -> name, secret
  std::vector<std::string> deleted;
  int created = 0;
  Result<std::optional<oauth::OAuthClientInfo>> Get(const std::string& id) override {
    auto it = clients.find(id);
    if (it == clients.end()) return std::optional<oauth::OAuthClientInfo>();
    return std::optional<oauth::OAuthClientInfo>({id, it->second.first, "active", "{}"});
  }
  Result<std::vector<oauth::OAuthClientInfo>> List() override {
    std::vector<oauth::OAuthClientInfo> out;
    for (const auto& [id, c] : clients) out.push_back({id, c.first, "active", "{}"});
    return out;
  }
  Result<oauth::CreatedClient> Create(const oauth::OAuthClientInfo&,
                                      const std::string& name) override {
    const std::string id = "new-" + std::to_string(++created);
    clients[id] = {name, "S-" + id};
    return oauth::CreatedClient{{id, name, "active", "{}"}, SecretValue("S-" + id)};
  }
  Status Delete(const std::string& id) override {
    deleted.push_back(id);
    clients.erase(id);
    return Status::Ok();
  }
};

class FakeCensus final : public Census {
 public:
  std::map<std::string, int> reported_for;  // id -> answers "in use" this many more times
  int asked = 0;
  Result<bool> Reports(const std::string& id) override {
    ++asked;
    auto it = reported_for.find(id);
    if (it == reported_for.end() || it->second == 0) return false;
    if (it->second > 0) --it->second;
    return true;
  }
};

struct RotatorTest : ::testing::Test {
  RotatorTest() {
    clients.clients["A"] = {"crm-sync", "SA"};
    store.versions.push_back({"1", clock.Now() - seconds(86400 * 100), Doc("A", "SA")});
  }
  Rotator Make(RotatorOptions o = {}) {
    RotatorDeps d;
    d.store = &store;
    d.clients = &clients;
    d.verify = [this](const SecretValue& doc) {
      const json j = Parse(doc);
      auto it = clients.clients.find(j["clientId"]);
      if (it == clients.clients.end() || it->second.second != j["clientSecret"] || deny_mint)
        return Unauthenticated("invalid_client");
      return Status::Ok();
    };
    d.census = census_on ? &census : nullptr;
    d.clock = &clock;
    d.sleep = [this](std::chrono::milliseconds ms) { clock.Advance(ms); };
    d.report = [this](const RotationStep& s) { steps.push_back(s.step + ":" + s.outcome); };
    o.verify_pause = std::chrono::milliseconds(10);
    return Rotator(d, o);
  }
  FakeClock clock;
  FakeStore store{false};
  FakeClients clients;
  FakeCensus census;
  bool census_on = false;
  bool deny_mint = false;
  std::vector<std::string> steps;
};

TEST_F(RotatorTest, TwoRotationsDeleteTheClientFromTheRotationBeforeLast) {
  ASSERT_EQ(Make().RotateClient().exit, RotationExit::kDone);
  json cur = Parse(store.versions.back().value);
  EXPECT_EQ(cur["clientId"], "new-1");
  EXPECT_EQ(cur["previousClientId"], "A");
  EXPECT_FALSE(cur.contains("retiredClientId"));
  EXPECT_EQ(cur["domain"], "mypurecloud.ie");
  EXPECT_TRUE(clients.deleted.empty());
  EXPECT_EQ(clients.clients["new-1"].first.rfind("crm-sync (memsecret rotation ", 0), 0u);

  ASSERT_EQ(Make().RotateClient().exit, RotationExit::kDone);
  cur = Parse(store.versions.back().value);
  EXPECT_EQ(cur["clientId"], "new-2");
  EXPECT_EQ(cur["previousClientId"], "new-1");
  EXPECT_EQ(cur["retiredClientId"], "A");
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"A"});
  EXPECT_TRUE(clients.clients.count("new-1")) << "the replaced client stays a whole period";
}

TEST_F(RotatorTest, FailingVerificationDeletesTheNewClientAndChangesNothing) {
  deny_mint = true;
  RotationOutcome out = Make().RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kFailed);
  EXPECT_EQ(store.versions.size(), 1u);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"new-1"});
  EXPECT_EQ(clients.clients.size(), 1u);
}

TEST_F(RotatorTest, RefusedWriteDeletesTheNewClient) {
  store.fail_write = FailedPrecondition("cas refused");
  EXPECT_EQ(Make().RotateClient().exit, RotationExit::kFailed);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"new-1"});
}

TEST_F(RotatorTest, CensusTimeoutDeletesNothingAndExitsThree) {
  ASSERT_EQ(Make().RotateClient().exit, RotationExit::kDone);
  census_on = true;
  census.reported_for["A"] = -1;  // forever
  RotatorOptions o;
  o.census_timeout = seconds(30);
  RotationOutcome out = Make(o).RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kCensusTimeout);
  EXPECT_TRUE(clients.deleted.empty());
  EXPECT_GT(census.asked, 2);
  // The rerun finishes the delete once the census clears, without a third client.
  census.reported_for["A"] = 2;
  out = Make(o).RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kDone) << out.message;
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"A"});
  EXPECT_EQ(clients.created, 2);
}

TEST_F(RotatorTest, OrphanFromACrashIsDeletedAndAPendingVersionIsPromoted) {
  clients.clients["orphan"] = {"crm-sync (memsecret rotation 20261201T000000Z)", "SO"};
  clients.clients["other"] = {"another-app (memsecret rotation 20261201T000000Z)", "SX"};
  ASSERT_EQ(Make().RotateClient().exit, RotationExit::kDone);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"orphan"});
  EXPECT_TRUE(clients.clients.count("other")) << "another lineage is left alone";

  FakeStore aws(true);
  aws.versions.push_back(store.versions.back());
  auto c = clients.Create({}, "crm-sync (memsecret rotation 20261202T000000Z)");
  aws.pending =
      StoredVersion{c->info.id, std::nullopt,
                    *WithNewClient(aws.versions.back().value, c->info.id, c->secret, "new-1", "A")};
  RotatorDeps d;
  d.store = &aws;
  d.clients = &clients;
  d.verify = [](const SecretValue&) { return Status::Ok(); };
  d.clock = &clock;
  d.sleep = [](std::chrono::milliseconds) {};
  d.report = [](const RotationStep&) {};
  RotationOutcome out = Rotator(d, {}).RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kDone) << out.message;
  EXPECT_EQ(Parse(aws.versions.back().value)["clientId"], c->info.id);
  EXPECT_EQ(clients.created, 2) << "resumed, no third client";
}

// The steps the rotation function drives, then the CLI's whole run on the
// same store: one strategy, so the CLI finishes what the steps staged.
TEST_F(RotatorTest, AVersionStagedUnderATokenIsReusedAndFinishedByRotateClient) {
  const std::string token = "c7f4a2d1-0b3e-4c55-9d2a-7e1f3b6a9c01";
  clients.clients["P"] = {"crm-sync", "SP"};
  FakeStore aws(true);
  aws.versions.push_back({"v1", std::nullopt, Doc("P", "SP")});
  aws.versions.push_back({"v2", std::nullopt, Doc("A", "SA", {{"previousClientId", "P"}})});
  RotatorDeps d;
  d.store = &aws;
  d.clients = &clients;
  d.verify = [](const SecretValue&) { return Status::Ok(); };
  d.clock = &clock;
  d.sleep = [](std::chrono::milliseconds) {};
  d.report = [this](const RotationStep& s) { steps.push_back(s.step + ":" + s.outcome); };

  auto staged = Rotator(d, {}).StagePending(token);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(staged->client_id, "new-1");
  EXPECT_EQ(staged->version, token);
  const json pending = Parse(aws.pending->value);
  EXPECT_EQ(pending["previousClientId"], "A");
  EXPECT_EQ(pending["retiredClientId"], "P");
  auto again = Rotator(d, {}).StagePending(token);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(clients.created, 1);
  EXPECT_TRUE(Rotator(d, {}).TestPending(token).ok());

  // The function stopped before finishSecret; `memsecret rotate` resumes it.
  RotationOutcome out = Rotator(d, {}).RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kDone) << out.message;
  EXPECT_NE(out.message.find("finished the interrupted rotation"), std::string::npos);
  EXPECT_EQ(aws.versions.back().version, token);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"P"});
  EXPECT_EQ(clients.created, 1) << "no second client";
  // finishSecret called afterwards: nothing to move, P already gone.
  EXPECT_TRUE(Rotator(d, {}).FinishPending(token).ok());
  EXPECT_EQ(aws.writes, 1);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"P"});
}

TEST_F(RotatorTest, DryRunAndIfOlderThan) {
  RotatorOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(Make(dry).RotateClient().exit, RotationExit::kDone);
  EXPECT_EQ(clients.created, 0);
  EXPECT_EQ(store.writes, 0);
  RotatorOptions older;
  older.if_older_than = seconds(86400 * 180);
  RotationOutcome out = Make(older).RotateClient();
  EXPECT_EQ(out.exit, RotationExit::kDone);
  EXPECT_NE(out.message.find("nothing due"), std::string::npos);
  EXPECT_EQ(clients.created, 0);
  older.if_older_than = seconds(86400 * 90);
  EXPECT_EQ(Make(older).RotateClient().exit, RotationExit::kDone);
  EXPECT_EQ(clients.created, 1);
}

TEST(CredentialDocumentTest, KeepsFieldsAndSpelling) {
  auto doc = WithNewClient(SecretValue(R"({"client_id":"a","client_secret":"s","region":"r"})"),
                           "b", SecretValue("t"), "a", "");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(Parse(*doc), json::parse(R"({"client_id":"b","client_secret":"t","region":"r",
                                         "previousClientId":"a"})"));
  auto repl = WithReplacement(SecretValue(R"({"apiKey":"K1","apiSecret":"S1","base_url":"u"})"),
                              SecretValue(R"({"accessKeyId":"K2","accessKeySecret":"S2"})"), "K1");
  ASSERT_TRUE(repl.ok());
  EXPECT_EQ(Parse(*repl), json::parse(R"({"accessKeyId":"K2","accessKeySecret":"S2","base_url":"u",
                                          "previousClientId":"K1"})"));
  auto bad = WithReplacement(SecretValue("{}"), SecretValue(R"({"clientSecret":"S-9"})"), "");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("S-9"), std::string::npos);
  EXPECT_EQ(BaseClientName("x (memsecret rotation 20261207T010203Z)"), "x");
  EXPECT_EQ(BaseClientName("plain"), "plain");
  EXPECT_EQ(StagingRequestId("CXNEWKEY"), "memsecret-rotation-CXNEWKEY-----");
  EXPECT_EQ(StagingRequestId("69392011-ea7c-4d39-896f-4641c9dc694f"),
            "69392011-ea7c-4d39-896f-4641c9dc694f");
  EXPECT_EQ(StagingRequestId(std::string(70, 'x')).size(), 64u);
  EXPECT_EQ(CredentialInfoQuery("a\"b"),
            "memsecret_injector_credential_info{client_id=\"a\\\"b\"}");
}

// 429 from the Platform API: waited out (Retry-After) and retried.
class ScriptedHttp final : public HttpClient {
 public:
  std::vector<HttpResponse> answers;
  std::vector<HttpRequest> seen;
  Result<HttpResponse> Send(const HttpRequest& r) override {
    seen.push_back(r);
    HttpResponse a = answers.front();
    answers.erase(answers.begin());
    return a;
  }
};

TEST(GenesysClientApiTest, ThrottledCallsWaitRetryAfterThenSucceed) {
  ScriptedHttp http;
  http.answers.push_back({429, {{"Retry-After", "7"}}, R"({"message":"slow down","status":429})"});
  http.answers.push_back({200, {}, R"({"id":"c1","name":"n","state":"active",
      "authorizedGrantType":"CLIENT-CREDENTIALS","roleIds":["r"],"secret":"NEVER-KEPT"})"});
  std::vector<std::chrono::milliseconds> waits;
  oauth::GenesysClientApi api("http://127.0.0.1:1", SecretValue("ADMIN-TOKEN"), &http,
                              [&](std::chrono::milliseconds ms) { waits.push_back(ms); });
  auto c = api.Get("c1");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->settings, R"({"authorizedGrantType":"CLIENT-CREDENTIALS","roleIds":["r"]})");
  EXPECT_EQ(waits, std::vector<std::chrono::milliseconds>{seconds(7)});
  EXPECT_EQ(http.seen.at(1).url, "http://127.0.0.1:1/api/v2/oauth/clients/c1");
  http.answers.push_back({403, {}, R"({"message":"Missing permission oauth:client:delete"})"});
  Status st = api.Delete("c1");
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_NE(st.message().find("oauth:client:delete"), std::string::npos);
  EXPECT_EQ(st.message().find("ADMIN-TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace memsecret::injector::rotation
