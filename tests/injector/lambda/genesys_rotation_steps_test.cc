// GenesysRotationSteps over fakes of Secrets Manager (versions and stage
// labels), the Genesys client directory and the verification mint: the
// adapter from the event to rotation::Rotator's steps, and the branches the
// end-to-end test does not reach (orphans, a refused or unknown store
// outcome, a missing current client, a new client that cannot mint,
// verification retries, a repeated finishSecret).
#include "injector/lambda/genesys_rotation_steps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "injector/providers/aws/aws_spec.h"
#include "injector/rotation/credential_document.h"

namespace memsecret::injector::lambda {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "genesys/crm";
constexpr const char* kToken = "c7f4a2d1-0b3e-4c55-9d2a-7e1f3b6a9c01";

std::string Doc(const std::string& id, const std::string& previous = "") {
  return R"({"clientId":")" + id + R"(","clientSecret":"S-)" + id +
         R"(","region":"mypurecloud.ie")" +
         (previous.empty() ? "" : R"(,"previousClientId":")" + previous + "\"") + "}";
}

// Secrets Manager's versions and labels, read as the AWS provider reads them.
class FakeSecretsManager final : public SecretProvider {
 public:
  struct Version {
    std::string id, value;
    std::set<std::string> stages;
    bool stub = false;  // RotateSecret's version before createSecret: no value
  };
  std::vector<Version> versions;
  bool rotation_enabled = true;
  Status put_result;
  int puts = 0;

  FetchResult Fetch(const SecretRef& ref, const FetchOptions& o) override {
    EXPECT_EQ(ref.path, kSecret);
    for (const Version& v : versions) {
      if (v.stub) continue;
      if (o.version && v.id != *o.version) continue;
      if (o.stage && !v.stages.count(*o.stage)) continue;
      return FetchResult::Success({SecretValue(v.value), v.id, std::nullopt, {}});
    }
    return FetchResult::Failure(NotFound("no such version"));
  }
  void Move(const std::string& stage, const std::string& to) {
    for (Version& v : versions) {
      if (v.id != to && v.stages.erase(stage) && stage == "AWSCURRENT") {
        for (Version& w : versions) w.stages.erase("AWSPREVIOUS");
        v.stages.insert("AWSPREVIOUS");
      }
    }
    for (Version& v : versions)
      if (v.id == to) v.stages.insert(stage);
  }
  Status Put(const SecretValue& value, const std::string& token) {
    ++puts;
    if (!put_result.ok()) return put_result;
    std::erase_if(versions, [&](const Version& v) { return v.id == token && v.stub; });
    versions.push_back({token, std::string(value.Reveal()), {}});
    Move("AWSPENDING", token);
    return Status::Ok();
  }
  aws::SecretRotationState Describe() const {
    aws::SecretRotationState st;
    st.rotation_enabled = rotation_enabled;
    for (const Version& v : versions)
      if (!v.stages.empty()) st.version_stages[v.id] = {v.stages.begin(), v.stages.end()};
    return st;
  }
  std::string Current() const {
    for (const Version& v : versions)
      if (v.stages.count("AWSCURRENT")) return v.id;
    return "";
  }
};

class FakeClients final : public oauth::OAuthClientDirectory {
 public:
  std::map<std::string, std::string> clients;  // id -> name
  std::vector<std::string> deleted;
  int created = 0;
  Result<std::optional<oauth::OAuthClientInfo>> Get(const std::string& id) override {
    auto it = clients.find(id);
    if (it == clients.end()) return std::optional<oauth::OAuthClientInfo>();
    return std::optional<oauth::OAuthClientInfo>({id, it->second, "active", "{}"});
  }
  Result<std::vector<oauth::OAuthClientInfo>> List() override {
    std::vector<oauth::OAuthClientInfo> out;
    for (const auto& [id, name] : clients) out.push_back({id, name, "active", "{}"});
    return out;
  }
  Result<oauth::CreatedClient> Create(const oauth::OAuthClientInfo&,
                                      const std::string& name) override {
    const std::string id = "new-" + std::to_string(++created);
    clients[id] = name;
    return oauth::CreatedClient{{id, name, "active", "{}"}, SecretValue("S-" + id)};
  }
  Status Delete(const std::string& id) override {
    deleted.push_back(id);
    clients.erase(id);
    return Status::Ok();
  }
};

// A shared directory handed out by open_clients.
class Proxy final : public oauth::OAuthClientDirectory {
 public:
  explicit Proxy(FakeClients* c) : c_(c) {}
  Result<std::optional<oauth::OAuthClientInfo>> Get(const std::string& id) override {
    return c_->Get(id);
  }
  Result<std::vector<oauth::OAuthClientInfo>> List() override { return c_->List(); }
  Result<oauth::CreatedClient> Create(const oauth::OAuthClientInfo& f,
                                      const std::string& n) override {
    return c_->Create(f, n);
  }
  Status Delete(const std::string& id) override { return c_->Delete(id); }

 private:
  FakeClients* c_;
};

class StepsTest : public ::testing::Test {
 protected:
  StepsTest() {
    sm.versions = {{"v-p", Doc("client-p"), {"AWSPREVIOUS"}},
                   {"v-a", Doc("client-a", "client-p"), {"AWSCURRENT"}},
                   {kToken, "", {"AWSPENDING"}, true}};
    clients.clients = {{"client-a", "crm-sync (memsecret rotation 20260101T000000Z)"},
                       {"client-p", "crm-sync"},
                       {"client-x", "other-app (memsecret rotation 20260101T000000Z)"}};
  }
  GenesysRotationSteps Steps() {
    GenesysStepsDeps d;
    d.reader = &sm;
    d.describe = [this](const std::string& s) -> Result<aws::SecretRotationState> {
      EXPECT_EQ(s, kSecret);
      return sm.Describe();
    };
    d.stage = [this](const std::string& s, const SecretValue& v, const std::string& t) {
      EXPECT_EQ(s, kSecret);
      return sm.Put(v, t);
    };
    d.promote = [this](const std::string& s, const std::string& t, const std::string& from) {
      EXPECT_EQ(s, kSecret);
      EXPECT_EQ(from, sm.Current()) << "RemoveFromVersionId names the current version";
      ++promotes;
      sm.Move("AWSCURRENT", t);
      return Status::Ok();
    };
    d.open_clients =
        [this](const SecretValue&) -> Result<std::unique_ptr<oauth::OAuthClientDirectory>> {
      return std::unique_ptr<oauth::OAuthClientDirectory>(std::make_unique<Proxy>(&clients));
    };
    d.verify = [this](const SecretValue& doc) {
      auto f = rotation::ReadCredentialFacts(doc);
      verified.push_back(f.ok() ? f->client_id : "?");
      if (verify_results.empty()) return Status::Ok();
      Status s = verify_results.front();
      verify_results.erase(verify_results.begin());
      return s;
    };
    d.clock = &clock;
    d.sleep = [this](std::chrono::milliseconds) { ++sleeps; };
    return GenesysRotationSteps(std::move(d));
  }
  std::string PendingClient() {
    FetchOptions o;
    o.version = kToken;
    o.stage = "AWSPENDING";
    FetchResult r = sm.Fetch(SecretRef{kAwsBackend, kSecret, {}, {}}, o);
    if (!r.ok()) return "";
    return rotation::ReadCredentialFacts(r.secret->value)->client_id;
  }

  FakeSecretsManager sm;
  FakeClients clients;
  FakeClock clock;
  std::vector<std::string> verified;
  std::vector<Status> verify_results;
  int promotes = 0, sleeps = 0;
};

TEST_F(StepsTest, AFullRotationStagesTestsPromotesAndDeletesTheClientBeforeLast) {
  auto steps = Steps();
  ASSERT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  const std::string b = PendingClient();
  EXPECT_EQ(b, "new-1");
  EXPECT_EQ(clients.clients[b], "crm-sync (memsecret rotation 20231114T221320Z)")
      << "the base name without the old suffix";
  EXPECT_TRUE(steps.SetSecret(kSecret, kToken).ok());
  EXPECT_TRUE(steps.TestSecret(kSecret, kToken).ok());
  EXPECT_EQ(verified, (std::vector<std::string>{b, b}))
      << "createSecret verifies before it stores, testSecret verifies the stored version";
  const json staged = json::parse(sm.versions.back().value);
  EXPECT_EQ(staged["previousClientId"], "client-a");
  EXPECT_EQ(staged["retiredClientId"], "client-p") << "the crash-recovery ids of the CLI";
  EXPECT_EQ(sm.Current(), "v-a");
  ASSERT_TRUE(steps.FinishSecret(kSecret, kToken).ok());
  EXPECT_EQ(sm.Current(), kToken);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"client-p"});
  EXPECT_TRUE(clients.clients.count("client-a")) << "the replaced client stays";
  // A repeated finishSecret moves nothing.
  ASSERT_TRUE(steps.FinishSecret(kSecret, kToken).ok());
  EXPECT_EQ(promotes, 1);
}

TEST_F(StepsTest, ARepeatedCreateReusesThePendingVersion) {
  auto steps = Steps();
  ASSERT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  ASSERT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  EXPECT_EQ(clients.created, 1);
  EXPECT_EQ(sm.puts, 1);
}

TEST_F(StepsTest, OrphansOfTheLineageAreDeletedOthersKept) {
  clients.clients["client-orphan"] = "crm-sync (memsecret rotation 20260301T000000Z)";
  auto steps = Steps();
  ASSERT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"client-orphan"});
  EXPECT_TRUE(clients.clients.count("client-x")) << "another lineage's client";
  EXPECT_TRUE(clients.clients.count("client-p")) << "P is deleted by finishSecret, not here";
}

TEST_F(StepsTest, AStoreRefusalDeletesTheNewClientAnUnknownOutcomeKeepsIt) {
  sm.put_result = InvalidArgument("PutSecretValue: ResourceExistsException");
  auto steps = Steps();
  Status st = steps.CreateSecret(kSecret, kToken);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"new-1"});
  sm.put_result = Unavailable("PutSecretValue: connection reset");
  st = steps.CreateSecret(kSecret, kToken);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_TRUE(clients.clients.count("new-2")) << "maybe stored: the retry decides";
}

TEST_F(StepsTest, AMissingCurrentClientCreatesNothing) {
  clients.clients.erase("client-a");
  auto steps = Steps();
  EXPECT_EQ(steps.CreateSecret(kSecret, kToken).code(), Code::kFailedPrecondition);
  EXPECT_EQ(clients.created, 0);
  EXPECT_EQ(sm.puts, 0);
}

TEST_F(StepsTest, ANewClientThatCannotMintIsDeletedAndNothingIsStaged) {
  verify_results = {Unauthenticated("a"), Unauthenticated("b"), Unauthenticated("c")};
  auto steps = Steps();
  Status st = steps.CreateSecret(kSecret, kToken);
  EXPECT_EQ(st.code(), Code::kUnauthenticated);
  EXPECT_NE(st.message().find("verify"), std::string::npos) << st.message();
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"new-1"});
  EXPECT_EQ(sm.puts, 0);
  EXPECT_EQ(PendingClient(), "");
}

TEST_F(StepsTest, TestSecretRetriesARejectionOrAnOutageOnlyAFewTimes) {
  auto steps = Steps();
  ASSERT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  verify_results = {Unauthenticated("invalid_client"), Unauthenticated("invalid_client")};
  EXPECT_TRUE(steps.TestSecret(kSecret, kToken).ok());
  EXPECT_EQ(sleeps, 2);
  verify_results = {Unauthenticated("a"), Unauthenticated("b"), Unauthenticated("c")};
  Status st = steps.TestSecret(kSecret, kToken);
  EXPECT_EQ(st.code(), Code::kUnauthenticated);
  EXPECT_NE(st.message().find("the staged client new-1 cannot mint"), std::string::npos);
  size_t before = verified.size();
  verify_results = {Unavailable("down"), Unavailable("down"), Unavailable("down")};
  EXPECT_EQ(steps.TestSecret(kSecret, kToken).code(), Code::kUnavailable);
  EXPECT_EQ(verified.size(), before + 3) << "an outage is retried like a rejection, bounded";
  before = verified.size();
  verify_results = {InvalidArgument("no client id")};
  EXPECT_EQ(steps.TestSecret(kSecret, kToken).code(), Code::kInvalidArgument);
  EXPECT_EQ(verified.size(), before + 1) << "anything else is final";
  EXPECT_EQ(sm.Current(), "v-a");
}

TEST_F(StepsTest, TestOrFinishWithoutAStagedValueFails) {
  auto steps = Steps();
  EXPECT_EQ(steps.TestSecret(kSecret, kToken).code(), Code::kNotFound);
  EXPECT_EQ(steps.FinishSecret(kSecret, kToken).code(), Code::kNotFound);
  EXPECT_EQ(promotes, 0);
}

TEST_F(StepsTest, AnEventThatNamesNoRotationInProgressIsRefused) {
  const struct {
    const char* name;
    std::function<void(FakeSecretsManager&)> setup;
    const char* token;
    const char* needle;
  } cases[] = {
      {"rotation off", [](FakeSecretsManager& f) { f.rotation_enabled = false; }, kToken,
       "rotation is not enabled"},
      {"unknown token", [](FakeSecretsManager&) {}, "0b3e4c55-9d2a-7e1f-3b6a-9c01c7f4a2d1",
       "has no stage for rotation"},
      {"token without AWSPENDING",
       [](FakeSecretsManager& f) {
         f.versions[2].stages.clear();
         f.versions[2].stages.insert("OTHER");
       },
       kToken, "is not set as AWSPENDING"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    sm.versions = {{"v-p", Doc("client-p"), {"AWSPREVIOUS"}},
                   {"v-a", Doc("client-a", "client-p"), {"AWSCURRENT"}},
                   {kToken, "", {"AWSPENDING"}, true}};
    sm.rotation_enabled = true;
    c.setup(sm);
    auto steps = Steps();
    for (Status st : {steps.CreateSecret(kSecret, c.token), steps.SetSecret(kSecret, c.token),
                      steps.TestSecret(kSecret, c.token), steps.FinishSecret(kSecret, c.token)}) {
      EXPECT_EQ(st.code(), Code::kFailedPrecondition);
      EXPECT_NE(st.message().find(c.needle), std::string::npos) << st.message();
    }
    EXPECT_EQ(clients.created, 0);
    EXPECT_EQ(sm.puts, 0);
    EXPECT_EQ(promotes, 0);
  }
}

TEST_F(StepsTest, ATokenAlreadyCurrentOnlyFinishesTheDelete) {
  // A finishSecret that crashed after the move, before the delete: Secrets
  // Manager calls it again, and P must not stay valid.
  sm.versions = {{"v-p", Doc("client-p"), {}},
                 {"v-a", Doc("client-a", "client-p"), {"AWSPREVIOUS"}},
                 {kToken,
                  R"({"clientId":"client-b","clientSecret":"S-b","region":"mypurecloud.ie",)"
                  R"("previousClientId":"client-a","retiredClientId":"client-p"})",
                  {"AWSCURRENT", "AWSPENDING"}}};
  clients.clients["client-b"] = "crm-sync (memsecret rotation 20260201T000000Z)";
  auto steps = Steps();
  EXPECT_TRUE(steps.CreateSecret(kSecret, kToken).ok());
  EXPECT_TRUE(steps.TestSecret(kSecret, kToken).ok());
  EXPECT_EQ(clients.created, 0);
  EXPECT_TRUE(verified.empty());
  EXPECT_TRUE(steps.FinishSecret(kSecret, kToken).ok());
  EXPECT_EQ(promotes, 0);
  EXPECT_EQ(clients.deleted, std::vector<std::string>{"client-p"});
}

}  // namespace
}  // namespace memsecret::injector::lambda
