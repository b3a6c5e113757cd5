// FormatAuditLine: one JSON object per line with the documented fields.
#include "injector/runtime/audit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace memsecret::injector {
namespace {

TEST(AuditTest, LineHasEveryFieldAndParses) {
  AuditRecord r;
  r.time = WallTime(std::chrono::milliseconds(1'700'000'000'123));
  r.pod = {"crm", "crm-sync", "crm-sync-7d9f"};
  r.kind = FileKind::kSecret;
  r.provider = "aws";
  r.ref = "aws:/genesys/prod/x#clientSecret";
  r.file = "client-secret";
  r.version = "v-1";
  r.outcome = AuditOutcome::kError;
  r.latency = std::chrono::milliseconds(42);
  r.error = "not_found: GetSecretValue /x: \"quoted\"\nnewline";
  std::string line = FormatAuditLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["audit"], true);
  EXPECT_EQ(j["pod"], "crm-sync-7d9f");
  EXPECT_EQ(j["namespace"], "crm");
  EXPECT_EQ(j["serviceAccount"], "crm-sync");
  EXPECT_EQ(j["provider"], "aws");
  EXPECT_EQ(j["ref"], "aws:/genesys/prod/x#clientSecret");
  EXPECT_EQ(j["version"], "v-1");
  EXPECT_EQ(j["outcome"], "error");
  EXPECT_EQ(j["latencyMs"], 42);
  EXPECT_EQ(j["error"], r.error);
  EXPECT_EQ(j.size(), 13u);  // no "region": the record names none; no "version_created" on errors
}

TEST(AuditTest, RegionAppearsWhenTheStoreNamedOne) {
  AuditRecord r;
  r.provider = "aws";
  r.version = "v-1";
  r.region = "us-west-2";
  r.outcome = AuditOutcome::kWritten;
  auto j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_EQ(j["region"], "us-west-2");
  EXPECT_EQ(j["version_created"], "unknown");  // not an error, no creation time known
  EXPECT_EQ(j.size(), 14u);                    // region and version_created added, no error
}

TEST(AuditTest, VersionCreatedAndTokenExpiry) {
  AuditRecord r;
  r.kind = FileKind::kToken;
  r.outcome = AuditOutcome::kUnchanged;
  r.version_created = WallTime(std::chrono::milliseconds(1'690'000'000'250));
  r.expires_at = WallTime(std::chrono::seconds(1'700'003'600));
  auto j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_EQ(j["version_created"], "2023-07-22T04:26:40Z");
  EXPECT_EQ(j["expires_at"], "2023-11-14T23:13:20Z");
  r.outcome = AuditOutcome::kError;
  r.expires_at.reset();
  j = nlohmann::json::parse(FormatAuditLine(r));
  EXPECT_FALSE(j.contains("version_created"));
  EXPECT_FALSE(j.contains("expires_at"));
}

}  // namespace
}  // namespace memsecret::injector
