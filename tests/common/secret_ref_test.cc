#include "memsecret/secret_ref.h"

#include <gtest/gtest.h>

#include "injector/providers/aws/aws_spec.h"
#include "injector/providers/azure/azure_spec.h"
#include "injector/providers/vault/vault_spec.h"
#include "memsecret/plan/backends.h"
#include "memsecret/status.h"

namespace memsecret {
namespace {

struct GoodCase {
  const char* text;
  const char* provider;
  const char* path;
  const char* field;  // nullptr: none
};

TEST(SecretRefTest, ParsesValidRefs) {
  const GoodCase cases[] = {
      {"aws:/genesys/production/crm-sync-service/oauth-client-secret#clientSecret", kAwsBackend,
       "/genesys/production/crm-sync-service/oauth-client-secret", "clientSecret"},
      {"aws:prod/db?stage=AWSPENDING", kAwsBackend, "prod/db", nullptr},
      {"aws:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", kAwsBackend,
       "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", nullptr},
      {"vault:secret/genesys/production/cx-pipeline", kVaultBackend,
       "secret/genesys/production/cx-pipeline", nullptr},
      {"vault:kv/app?kv=1#password", kVaultBackend, "kv/app", "password"},
      {"vault:secret/app?version=3", kVaultBackend, "secret/app", nullptr},
      {"vault:team-a/kv/app/db?mount=team-a/kv", kVaultBackend, "team-a/kv/app/db", nullptr},
      {"azure:contoso-kv/genesys-client?version=0123456789abcdef0123456789abcdef", kAzureBackend,
       "contoso-kv/genesys-client", nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto ref = ParseSecretRef(c.text);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    EXPECT_EQ(ref->provider, c.provider);
    EXPECT_EQ(ref->path, c.path);
    if (c.field) {
      EXPECT_EQ(ref->field, std::string(c.field));
    } else {
      EXPECT_FALSE(ref->field.has_value());
    }
    EXPECT_EQ(ref->ToString(), c.text);  // canonical form round-trips
  }
}

TEST(SecretRefTest, RejectsBadRefsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"gcp:projects/x", "unknown provider"},
      {"/no/provider", "missing provider"},
      {"aws:", "1-2048"},
      {"aws:name with space", "may only contain"},
      {"aws:x?stage=", "stage must be"},
      {"aws:x?color=red", "unknown query key"},
      {"aws:x?stage=A&stage=B", "given twice"},
      {"aws:x#", "field after"},
      {"aws:x?", "empty query"},
      {"aws:arn:aws:secretsmanager:eu-west-1:12:secret:x", "malformed Secrets Manager ARN"},
      // Found by fuzz_secrets_manager: the ARN's name part was not checked at all.
      {"aws:arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-\xe7"
       "bCdEf",
       "malformed Secrets Manager ARN"},
      {"aws:arn:aws:secretsmanager:us-east-1:123456789012:secret:a b\"c",
       "malformed Secrets Manager ARN"},
      {"aws:arn:aws:secretsmanager:us-east-1:123456789012:secret:",
       "malformed Secrets Manager ARN"},
      {"aws:arn:aws:secretsmanager:us-east-1:123456789012:secret:x:y",
       "malformed Secrets Manager ARN"},
      {"vault:secret", "<mount>/<path>"},
      {"vault:secret//x", "empty"},
      {"vault:secret/../x", "'..'"},
      {"vault:secret/x?kv=3", "kv must be"},
      {"vault:secret/x?kv=1&version=2", "only supported by KV v2"},
      {"vault:secret/x?version=0", "positive integer"},
      {"vault:team-a/kv/app?mount=team-b/kv", "must be a leading part"},
      {"vault:team-a/kv?mount=team-a/kv", "must be a leading part"},
      {"vault:team-a/kv/app?mount=team-a//kv", "mount must be"},
      {"azure:kv/secret", "3-24"},
      {"azure:contoso/a/b", "<vault-name>/<secret-name>"},
      {"azure:contoso/na_me", "1-127"},
      {"aws:x\n", "control character"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    auto ref = ParseSecretRef(text);
    ASSERT_FALSE(ref.ok());
    EXPECT_EQ(ref.status().code(), Code::kInvalidArgument);
    EXPECT_NE(ref.status().message().find(want), std::string::npos) << ref.status().message();
  }
}

TEST(SecretRefTest, PolicyKeyIgnoresQueryAndField) {
  auto ref = ParseSecretRef("aws:/a/b?stage=AWSCURRENT#f");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->PolicyKey(), "aws:/a/b");
  EXPECT_EQ(ref->Query("stage"), "AWSCURRENT");
  EXPECT_EQ(ref->Query("version"), std::nullopt);
}

// Errors name what each backend's row accepts.
TEST(SecretRefTest, ErrorsListWhatTheBackendAccepts) {
  const std::pair<const char*, const char*> cases[] = {
      {"gcp:x/y", "unknown provider \"gcp\" (expected aws, vault or azure)"},
      {"aws:/a?kv=2", "unknown query key \"kv\" for aws (expected stage or version)"},
      {"vault:secret/a?stage=x",
       "unknown query key \"stage\" for vault (expected kv, version or mount)"},
      {"azure:kv-one/a?stage=x", "unknown query key \"stage\" for azure (expected version)"},
      {"vault:team/kv/app?mount=other", "mount \"other\" must be a leading part of the path"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    auto r = ParseSecretRef(text);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
  }
  for (const Backend* b : Backends())
    EXPECT_EQ(
        ParseSecretRef(std::string(b->name) + ":x").status().message().find("unknown provider"),
        std::string::npos);
}

}  // namespace
}  // namespace memsecret
