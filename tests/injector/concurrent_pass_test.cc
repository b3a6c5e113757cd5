// The concurrent pass against the sequential one: the same plan (secrets, a
// JSON secret read by two files, two OAuth tokens) run with max_in_flight 1
// and 8 over the same fakes must produce exactly the same files, audit lines
// (time and latency aside), backend calls and first-write status — with every
// item succeeding, one failing item among many (final, and retryable), and a
// throttled answer. Jobs are built as the injector's Session builds them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "injector/oauth/token_job.h"
#include "injector/runtime/coalescing_provider.h"
#include "injector/runtime/secret_file_job.h"
#include "memsecret/plan/backends.h"
#include "testing/injector_fakes.h"
#include "testing/temp_dir.h"

namespace memsecret::injector {
namespace {

using std::chrono::seconds;

constexpr const char* kTokenValue = "TOKEN-VALUE-9c1e";
constexpr const char* kClientSecret = "CLIENT-SECRET-4b2d";

// What the store answers for one path: a value, or its first `failures`
// answers `failure` (all of them when failures < 0).
struct Item {
  std::string value;
  std::string version = "v1";
  Status failure;
  int failures = 0;
  std::optional<seconds> retry_after;
};

Item Value(std::string value) {
  Item item;
  item.value = std::move(value);
  return item;
}

// `failures` answers `failure` first (< 0: always), then `value` at "v2".
Item Failing(Status failure, int failures, std::string value = "",
             std::optional<seconds> retry_after = {}) {
  Item item = Value(std::move(value));
  item.version = "v2";
  item.failure = std::move(failure);
  item.failures = failures;
  item.retry_after = retry_after;
  return item;
}

// A thread-safe store keyed by ref path that counts calls per path.
class TableStore final : public SecretProvider {
 public:
  explicit TableStore(std::map<std::string, Item> items) : items_(std::move(items)) {}
  FetchResult Fetch(const SecretRef& ref, const FetchOptions&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls[ref.path];
    auto it = items_.find(ref.path);
    if (it == items_.end()) return FetchResult::Failure(NotFound("fake: no " + ref.path));
    Item& item = it->second;
    if (!item.failure.ok() && item.failures != 0) {
      if (item.failures > 0) --item.failures;
      return FetchResult::Failure(item.failure, item.retry_after);
    }
    return FetchResult::Success({SecretValue(item.value), item.version, std::nullopt, {}});
  }
  std::map<std::string, int> calls;  // read after the run

 private:
  std::mutex mu_;
  std::map<std::string, Item> items_;
};

// A thread-safe token endpoint: the same token for every mint; the first
// `throttled` mints for scope "scope-b" (token-b) are answered 429 with
// Retry-After 3.
class TokenEndpoint final : public HttpClient {
 public:
  explicit TokenEndpoint(int throttled) : throttled_(throttled) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls;
    HttpResponse r;
    r.headers = {{"Content-Type", "application/json"}};
    if (throttled_ > 0 && request.body.find("scope-b") != std::string::npos) {
      --throttled_;
      r.status = 429;
      r.headers.emplace_back("Retry-After", "3");
      r.body = R"({"error":"slow_down"})";
      return r;
    }
    r.status = 200;
    r.body = std::string(R"({"access_token":")") + kTokenValue +
             R"(","token_type":"Bearer","expires_in":3600})";
    return r;
  }
  int calls = 0;  // read after the run

 private:
  std::mutex mu_;
  int throttled_;
};

struct Case {
  std::string name;
  std::map<std::string, Item> overrides;  // by path, over the healthy store
  int token_throttled = 0;
  bool want_ready = true;
  int want_errors = 0;  // audit lines with outcome "error"
};

// Everything a run leaves behind that must not depend on max_in_flight.
struct Outcome {
  std::string status;                        // RunUntilReady's
  std::map<std::string, std::string> files;  // name -> content
  std::vector<std::string> audit;            // normalised lines, sorted
  std::map<std::string, int> store_calls;    // per path
  int mints = 0;
  bool operator==(const Outcome&) const = default;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

InjectionPlan Plan() {
  InjectionPlan plan;
  plan.pod = PodIdentity{"crm", "crm-sync", "crm-sync-7d9f"};
  plan.refresh_interval_seconds = 300;
  auto add = [&](std::string name, std::string ref, FileKind kind = FileKind::kSecret) {
    PlannedFile f;
    f.name = std::move(name);
    f.kind = kind;
    f.ref = ParseSecretRef(ref).value();
    f.mode = 0440;
    if (kind == FileKind::kToken) {
      f.format = OutputFormat::kJson;
      f.token = TokenSpec{ParseIssuer("https://idp.example/token").value(),
                          f.name == "token-b" ? "scope-b" : "", ""};
    }
    plan.files.push_back(std::move(f));
  };
  for (int i = 0; i < 8; ++i) add("s" + std::to_string(i), "aws:/app/s" + std::to_string(i));
  add("db-user", "aws:/app/db#user");  // one secret, two files: one fetch
  add("db-password", "aws:/app/db#password");
  add("token-a", "aws:/app/oauth-a", FileKind::kToken);
  add("token-b", "aws:/app/oauth-b", FileKind::kToken);
  return plan;
}

std::map<std::string, Item> HealthyStore() {
  std::map<std::string, Item> items;
  for (int i = 0; i < 8; ++i)
    items["/app/s" + std::to_string(i)] = Value("VALUE-" + std::to_string(i) + "-SECRET");
  items["/app/db"] = Value(R"({"user":"app","password":"DB-PASSWORD-SECRET"})");
  const std::string creds =
      std::string(R"({"clientId":"cid","clientSecret":")") + kClientSecret + "\"}";
  items["/app/oauth-a"] = Value(creds);
  items["/app/oauth-b"] = Value(creds);
  return items;
}

Outcome RunPass(const Case& c, size_t max_in_flight) {
  testing::TempDir dir;
  AtomicFileWriter writer(dir.path());
  FakeClock clock;
  std::map<std::string, Item> items = HealthyStore();
  for (const auto& [path, item] : c.overrides) items[path] = item;
  TableStore store(items);
  CoalescingProvider shared(&store, &clock);
  TokenEndpoint idp(c.token_throttled);
  RecordingAudit audit;
  const InjectionPlan plan = Plan();

  JobEnvironment env;  // as Session::Build wires it
  env.pod = plan.pod;
  env.provider = &shared;
  env.http = &idp;
  env.writer = &writer;
  env.audit = &audit;
  env.jitter = [] { return 0.5; };
  env.once = true;
  Scheduler scheduler(max_in_flight);
  const WallTime start = clock.Now();
  for (auto& job : MakeSecretFileJobs(plan, env)) scheduler.Add(std::move(job), start);
  JobEnvironment token_env = env;
  token_env.provider = &store;
  auto tokens = oauth::MakeTokenJobs(plan, token_env);
  EXPECT_TRUE(tokens.ok()) << tokens.status().message();
  for (auto& job : *tokens) scheduler.Add(std::move(job), start);

  FakeWaiter waiter(&clock, 20);
  Status st = scheduler.RunUntilReady(clock, waiter, start + seconds(60));
  EXPECT_EQ(st.ok(), c.want_ready) << st.message();

  Outcome out;
  out.status = st.ok() ? "OK" : std::string(CodeName(st.code())) + ": " + st.message();
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    out.files[entry.path().filename()] = Slurp(entry.path());
  for (const AuditRecord& r : audit.records) {
    AuditRecord n = r;
    n.time = start + std::chrono::duration_cast<seconds>(r.time - start);  // whole seconds
    n.latency = {};
    out.audit.push_back(FormatAuditLine(n));
  }
  std::sort(out.audit.begin(), out.audit.end());
  out.store_calls = store.calls;
  out.mints = idp.calls;
  return out;
}

TEST(ConcurrentPassTest, SameFilesAuditLinesAndCallsAsTheSequentialPass) {
  const Status denied = PermissionDenied("GetSecretValue /app/s3: AccessDeniedException: no");
  const Status down = Unavailable("GetSecretValue /app/s5: connection refused");
  const Status throttled = ResourceExhausted("GetSecretValue /app/oauth-b: ThrottlingException");
  const std::vector<Case> cases = {
      {"all succeed", {}},
      {"one final failure among many", {{"/app/s3", Failing(denied, -1)}}, 0, false, 1},
      {"one retryable failure among many", {{"/app/s5", Failing(down, 2, "S5")}}, 0, true, 2},
      {"two items retryable for two passes",
       {{"/app/s0", Failing(down, 2, "A")}, {"/app/s7", Failing(down, 2, "B")}},
       0,
       true,
       4},
      {"credentials of one token fail for good",
       {{"/app/oauth-b", Failing(denied, -1)}},
       0,
       false,
       1},
      // The throttled job is the last to start, so which jobs the throttle
      // defers does not depend on timing (scheduler_test covers the deferral).
      {"token endpoint throttles twice", {}, 2, true, 2},
      {"store throttles the last item with Retry-After",
       {{"/app/oauth-b",
         Failing(throttled, 1, R"({"clientId":"b","clientSecret":"x"})", seconds(4))}},
       0,
       true,
       1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome sequential = RunPass(c, 1);
    const Outcome concurrent = RunPass(c, 8);
    EXPECT_EQ(sequential.status, concurrent.status);
    EXPECT_EQ(sequential.files, concurrent.files);
    EXPECT_EQ(sequential.audit, concurrent.audit);
    EXPECT_EQ(sequential.store_calls, concurrent.store_calls);
    EXPECT_EQ(sequential.mints, concurrent.mints);
    EXPECT_EQ(concurrent.store_calls.at("/app/db"), 1);  // one read for its two files
    if (c.want_ready) {
      EXPECT_EQ(concurrent.files.size(), Plan().files.size());
    }
    EXPECT_EQ(std::count_if(concurrent.audit.begin(), concurrent.audit.end(),
                            [](const std::string& l) {
                              return l.find(R"("outcome":"error")") != std::string::npos;
                            }),
              c.want_errors);
    EXPECT_EQ(concurrent.files.count("db-password") ? concurrent.files.at("db-password") : "",
              "DB-PASSWORD-SECRET");
    std::string all;
    for (const auto& line : concurrent.audit) all += line;
    all += concurrent.status;
    for (const char* secret : {kTokenValue, kClientSecret, "DB-PASSWORD-SECRET", "VALUE-1-SECRET"})
      EXPECT_EQ(all.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace memsecret::injector
