// The reference docs are checked against the code so they cannot drift: every
// annotation key in docs/annotations.md is one the parser accepts and vice
// versa, and the configuration block of docs/configuration.md is accepted by
// the strict config parser with the code's own defaults. Every doc in docs/ is
// reachable from the README and from the docs index.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "webhook/admission/annotations.h"
#include "webhook/config/config.h"

namespace memsecret::webhook {
namespace {

std::string ReadRepoFile(const std::string& path) {
  std::ifstream in(std::string(MEMSECRET_SOURCE_DIR) + "/" + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every backquoted key in the first column of the tables (rows after a
// "| key" header) between `from` and `to` of docs/annotations.md.
std::set<std::string> KeysInTables(const std::string& text, const std::string& from,
                                   const std::string& to) {
  std::set<std::string> keys;
  const size_t start = text.find(from);
  const size_t end = text.find(to, start);
  EXPECT_NE(start, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  std::istringstream lines(text.substr(start, end - start));
  std::string line;
  bool in_table = false;
  static const std::regex key_re("`([a-z<>-]+)`");
  while (std::getline(lines, line)) {
    if (line.rfind("| key", 0) == 0) in_table = true;
    if (!in_table || line.rfind("| key", 0) == 0 || line.rfind("|---", 0) == 0) continue;
    if (line.rfind("|", 0) != 0) {
      in_table = false;
      continue;
    }
    std::string first = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(first.begin(), first.end(), key_re), e; it != e; ++it)
      keys.insert((*it)[1]);
  }
  return keys;
}

TEST(ReferenceDocsTest, DocsAnnotationReferenceMatchesTheParser) {
  std::set<std::string> documented = KeysInTables(ReadRepoFile("docs/annotations.md"),
                                                  "## Annotation keys", "## Secret references");
  std::vector<std::string> known = KnownAnnotationKeys();
  EXPECT_EQ(documented, std::set<std::string>(known.begin(), known.end()));
}

TEST(ReferenceDocsTest, EveryKnownKeyIsHandled) {
  // A sample value per key: none may come back as unknown or unhandled.
  const std::map<std::string, std::string> samples = {
      {"secret-<name>", "aws:x"},
      {"token-<name>", "aws:x"},
      {"issuer-<name>", "genesys"},
      {"scope-<name>", "a"},
      {"audience-<name>", "a"},
      {"format-<name>", "raw"},
      {"mode-<name>", "0400"},
      {"env-var-<name>", "V"},
      {"containers", "app"},
      {"mount-path", "/x"},
      {"lifecycle", "init"},
      {"refresh-interval", "1m"},
      {"aws-region", "eu-west-1"},
      {"aws-role-arn", "arn:aws:iam::123456789012:role/r"},
      {"aws-failover-regions", "us-west-2"},
      {"vault-addr", "https://v:8200"},
      {"vault-role", "r"},
      {"vault-auth-path", "kubernetes"},
      {"vault-namespace", "ns"},
      {"metrics-port", "9464"},
      {"agent-port", "2773"},
      {"status", "injected"}};
  for (const auto& key : KnownAnnotationKeys()) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(samples.count(key)) << "add a sample value for the new key";
    std::string k = std::regex_replace(key, std::regex("<name>"), "f");
    Problems problems;
    ParseAnnotations({{"memsecret.io/" + k, samples.at(key)}}, &problems);
    for (const auto& p : problems) {
      EXPECT_EQ(p.message.find("unknown annotation"), std::string::npos) << p.message;
      EXPECT_EQ(p.message.find("not handled"), std::string::npos) << p.message;
    }
  }
}

TEST(ReferenceDocsTest, DocumentedConfigIsAcceptedAndShowsTheDefaults) {
  const std::string doc = ReadRepoFile("docs/configuration.md");
  size_t section = doc.find("## All keys and their defaults");
  ASSERT_NE(section, std::string::npos);
  size_t start = doc.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  size_t end = doc.find("```", start + 8);
  const std::string yaml = doc.substr(start + 8, end - start - 8);
  auto documented = ParseConfig(yaml);
  ASSERT_TRUE(documented.ok()) << documented.status().ToString();
  const Config defaults;
  const Config& d = *documented;
  EXPECT_EQ(d.injector.image, defaults.injector.image);
  EXPECT_EQ(d.injector.image_pull_policy, defaults.injector.image_pull_policy);
  EXPECT_EQ(d.injector.binary_path, defaults.injector.binary_path);
  EXPECT_EQ(d.injector.resources.requests_cpu, defaults.injector.resources.requests_cpu);
  EXPECT_EQ(d.injector.resources.requests_memory, defaults.injector.resources.requests_memory);
  EXPECT_EQ(d.injector.resources.limits_memory, defaults.injector.resources.limits_memory);
  EXPECT_EQ(d.injector.native_sidecar, defaults.injector.native_sidecar);
  EXPECT_EQ(d.injector.default_run_as_user, defaults.injector.default_run_as_user);
  EXPECT_EQ(d.volume_size_limit, defaults.volume_size_limit);
  EXPECT_EQ(d.mount_path, defaults.mount_path);
  EXPECT_EQ(d.refresh_interval, defaults.refresh_interval);
  EXPECT_EQ(d.service_account_token_expiration_seconds,
            defaults.service_account_token_expiration_seconds);
  const auto backend_section = [](const Config& c, const char* backend) -> const std::any& {
    return c.backends.at(backend);
  };
  const auto& d_aws = std::any_cast<const AwsSection&>(backend_section(d, kAwsBackend));
  const auto& aws = std::any_cast<const AwsSection&>(backend_section(defaults, kAwsBackend));
  const auto& d_vault = std::any_cast<const VaultSection&>(backend_section(d, kVaultBackend));
  const auto& vault = std::any_cast<const VaultSection&>(backend_section(defaults, kVaultBackend));
  const auto& d_azure = std::any_cast<const AzureSection&>(backend_section(d, kAzureBackend));
  const auto& azure = std::any_cast<const AzureSection&>(backend_section(defaults, kAzureBackend));
  EXPECT_EQ(d_aws.region, aws.region);
  EXPECT_EQ(d_aws.token_audience, aws.token_audience);
  EXPECT_EQ(d_vault.addr, vault.addr);
  EXPECT_EQ(d_vault.auth_path, vault.auth_path);
  EXPECT_EQ(d_vault.role, vault.role);
  EXPECT_EQ(d_vault.token_audience, vault.token_audience);
  EXPECT_EQ(d_vault.allowed_addrs, vault.allowed_addrs);
  EXPECT_EQ(d_vault.allow_skip_verify, vault.allow_skip_verify);
  EXPECT_EQ(d_azure.token_audience, azure.token_audience);
  EXPECT_EQ(d.oauth.allowed_token_urls, defaults.oauth.allowed_token_urls);
  EXPECT_DOUBLE_EQ(d.oauth.refresh_fraction, defaults.oauth.refresh_fraction);
  EXPECT_EQ(d.oauth.min_remaining_seconds, defaults.oauth.min_remaining_seconds);
  EXPECT_EQ(d.injector.metrics_port, defaults.injector.metrics_port);
  EXPECT_TRUE(d.policy.empty());
  EXPECT_TRUE(d.rotation.empty());
}

// The README is the front door and docs/README.md the index: each links every
// page of docs/ by its file name.
TEST(ReferenceDocsTest, EveryDocIsLinkedFromTheReadmeAndTheIndex) {
  const std::string readme = ReadRepoFile("README.md");
  const std::string index = ReadRepoFile("docs/README.md");
  int pages = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MEMSECRET_SOURCE_DIR) + "/docs")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".md" || name == "README.md") continue;
    ++pages;
    SCOPED_TRACE(name);
    EXPECT_NE(readme.find("(docs/" + name), std::string::npos) << "README.md does not link it";
    EXPECT_NE(index.find("(" + name + ")"), std::string::npos) << "docs/README.md does not list it";
  }
  EXPECT_GE(pages, 8);
}

}  // namespace
}  // namespace memsecret::webhook
