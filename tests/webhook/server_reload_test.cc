// Hot reload of mounted files: the FileWatcher's change detection (renames,
// kubelet's ..data symlink swap, deletion, debouncing, prompt stop) and the
// config reload wiring — a valid new config is served, a broken one is
// counted and the previous config keeps serving.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/eventually.h"
#include "testing/server_harness.h"
#include "testing/temp_dir.h"
#include "webhook/admission/admission_review.h"
#include "webhook/config/file_watcher.h"
#include "webhook/hot_reload.h"

namespace memsecret::webhook {
namespace {

namespace fs = std::filesystem;
using memsecret::testing::Eventually;
using memsecret::testing::ServerHarness;
using memsecret::testing::TempDir;
using memsecret::testing::WriteFileAtomically;
using R = Metrics::ReloadResult;

// A watcher driven by PollOnce: no thread, no timing.
struct PolledWatcher {
  explicit PolledWatcher(std::vector<std::string> paths) : watcher(std::chrono::hours(1)) {
    watcher.Watch(std::move(paths), [this] { ++changes; });
  }
  // Polls twice: a change is reported once it has been stable for one poll.
  int Settle() {
    watcher.PollOnce();
    watcher.PollOnce();
    return changes;
  }
  FileWatcher watcher;
  int changes = 0;
};

TEST(FileWatcherTest, NoChangeNoCallback) {
  TempDir dir;
  WriteFileAtomically(dir.File("a"), "1");
  PolledWatcher w({dir.File("a"), dir.File("missing")});
  EXPECT_EQ(w.Settle(), 0);
  EXPECT_EQ(w.Settle(), 0);
}

TEST(FileWatcherTest, ReplacementByRenameIsOneChangeAfterItSettles) {
  TempDir dir;
  WriteFileAtomically(dir.File("a"), "1");
  PolledWatcher w({dir.File("a")});
  WriteFileAtomically(dir.File("a"), "2");
  w.watcher.PollOnce();
  EXPECT_EQ(w.changes, 0) << "reported before the change settled";
  w.watcher.PollOnce();
  EXPECT_EQ(w.changes, 1);
  EXPECT_EQ(w.Settle(), 1) << "reported twice";
}

TEST(FileWatcherTest, AnyFileOfTheGroupCounts) {
  TempDir dir;
  WriteFileAtomically(dir.File("crt"), "c");
  WriteFileAtomically(dir.File("key"), "k");
  PolledWatcher w({dir.File("crt"), dir.File("key")});
  WriteFileAtomically(dir.File("key"), "k2");
  EXPECT_EQ(w.Settle(), 1);
}

TEST(FileWatcherTest, DeletionAndReappearanceAreChanges) {
  TempDir dir;
  WriteFileAtomically(dir.File("a"), "1");
  PolledWatcher w({dir.File("a")});
  fs::remove(dir.File("a"));
  EXPECT_EQ(w.Settle(), 1);
  WriteFileAtomically(dir.File("a"), "1");
  EXPECT_EQ(w.Settle(), 2);
}

// Kubelet's AtomicWriter layout: name -> ..data/name, ..data -> ..<timestamp>.
TEST(FileWatcherTest, KubeletDataSymlinkSwapIsSeen) {
  TempDir dir;
  fs::create_directory(dir.File("..2024_01"));
  WriteFileAtomically(dir.File("..2024_01/config.yaml"), "a: 1\n");
  fs::create_directory_symlink("..2024_01", dir.File("..data"));
  fs::create_symlink("..data/config.yaml", dir.File("config.yaml"));
  PolledWatcher w({dir.File("config.yaml")});

  fs::create_directory(dir.File("..2024_02"));
  WriteFileAtomically(dir.File("..2024_02/config.yaml"), "a: 2\n");  // same size
  fs::create_directory_symlink("..2024_02", dir.File("..data_tmp"));
  fs::rename(dir.File("..data_tmp"), dir.File("..data"));
  fs::remove_all(dir.File("..2024_01"));
  EXPECT_EQ(w.Settle(), 1);
}

TEST(FileWatcherTest, BackgroundThreadReportsAndStopsPromptly) {
  TempDir dir;
  WriteFileAtomically(dir.File("a"), "1");
  std::atomic<int> changes{0};
  {
    FileWatcher watcher(std::chrono::milliseconds(10));
    watcher.Watch({dir.File("a")}, [&] { ++changes; });
    watcher.Start();
    WriteFileAtomically(dir.File("a"), "2");
    EXPECT_TRUE(Eventually([&] { return changes.load() == 1; }));
  }
  FileWatcher slow(std::chrono::hours(1));
  slow.Start();
  const auto start = std::chrono::steady_clock::now();
  slow.Stop();
  // Stop() wakes the thread: it does not wait out the 1 h polling interval.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

constexpr const char* kNoPolicy = "injector: {image: example/injector:1}\n";
constexpr const char* kAllowPolicy =
    "injector: {image: example/injector:2}\n"
    "policy: [{namespaces: ['*'], allow: ['aws:/genesys/{namespace}/*']}]\n";

TEST(ConfigReloadTest, ValidConfigReplacesBrokenOneIsCountedAndIgnored) {
  TempDir dir;
  const std::string path = dir.File("config.yaml");
  WriteFileAtomically(path, kNoPolicy);
  Metrics metrics;
  ConfigSnapshot store(std::make_shared<const Config>(*LoadConfigFile(path)));
  FileWatcher watcher(std::chrono::hours(1));  // driven by PollOnce below
  WatchConfig(watcher, path, LoadConfigFile, store, metrics);
  const auto settle = [&] {
    watcher.PollOnce();
    watcher.PollOnce();
  };

  WriteFileAtomically(path, kAllowPolicy);
  settle();
  EXPECT_EQ(store.Get()->injector.image, "example/injector:2");
  EXPECT_EQ(metrics.config_reloads(R::kSuccess), 1u);

  const std::pair<const char*, const char*> broken[] = {
      {"yaml syntax", "injector: {image: [unclosed\n"},
      {"unknown key (strict parsing)", "injectr: {image: example/injector:3}\n"},
      {"wrong type", "policy: 5\n"},
  };
  uint64_t failures = 0;
  for (const auto& [name, text] : broken) {
    SCOPED_TRACE(name);
    WriteFileAtomically(path, text);
    settle();
    EXPECT_EQ(metrics.config_reloads(R::kFailure), ++failures);
    EXPECT_EQ(store.Get()->injector.image, "example/injector:2");
  }
  fs::remove(path);  // a vanished file is a failed reload too
  settle();
  EXPECT_EQ(metrics.config_reloads(R::kFailure), ++failures);
  EXPECT_EQ(metrics.config_reloads(R::kSuccess), 1u);
}

// End to end: the server's handler reads the snapshot per request, as main
// wires it, so a policy change flips the answer for the same pod.
TEST(ConfigReloadTest, ServerAnswersWithTheReloadedPolicy) {
  TempDir dir;
  const std::string path = dir.File("config.yaml");
  WriteFileAtomically(path, kNoPolicy);
  ConfigSnapshot store(std::make_shared<const Config>(*LoadConfigFile(path)));
  ServerHarness h([&store](std::string_view body) { return Admit(body, *store.Get()); });
  FileWatcher watcher(std::chrono::milliseconds(10));
  WatchConfig(watcher, path, LoadConfigFile, store, h.metrics());
  watcher.Start();

  nlohmann::json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "u-1"},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"namespace", "crm-sync"},
        {"operation", "CREATE"},
        {"object",
         {{"metadata",
           {{"labels", {{"memsecret.io/inject", "true"}}},
            {"annotations", {{"memsecret.io/secret-db", "aws:/genesys/crm-sync/db"}}}}},
          {"spec", {{"containers", nlohmann::json::array({{{"name", "app"}}})}}}}}}}};
  auto outcome = [&] {
    auto reply = h.Request("POST", "/mutate?timeout=10s", review.dump());
    if (!reply || reply->status != 200) return std::string("http error");
    auto r = nlohmann::json::parse(reply->body)["response"];
    return std::string(r.value("allowed", false) ? (r.contains("patch") ? "patched" : "allowed")
                                                 : "denied");
  };
  EXPECT_EQ(outcome(), "denied");  // no policy rule matches

  WriteFileAtomically(path, kAllowPolicy);
  ASSERT_TRUE(Eventually([&] { return h.metrics().config_reloads(R::kSuccess) == 1; }));
  EXPECT_EQ(outcome(), "patched");

  WriteFileAtomically(path, "policy: [{namespaces: ['*'], allow: [\n");
  ASSERT_TRUE(Eventually([&] { return h.metrics().config_reloads(R::kFailure) == 1; }));
  EXPECT_EQ(outcome(), "patched");  // the previous config still serves
  watcher.Stop();
}

}  // namespace
}  // namespace memsecret::webhook
