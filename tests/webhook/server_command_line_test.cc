// Command-line parsing of memsecret-webhook: listen addresses and the flags
// of `serve` and `render`, valid and invalid, as tables.
#include <gtest/gtest.h>

#include "webhook/command_line.h"

namespace memsecret::webhook {
namespace {

TEST(CommandLineTest, ListenAddresses) {
  struct Case {
    const char* text;
    bool ok;
    ListenAddress want;
  };
  const Case cases[] = {
      {":8443", true, {"0.0.0.0", 8443}},
      {"0.0.0.0:9443", true, {"0.0.0.0", 9443}},
      {"127.0.0.1:0", true, {"127.0.0.1", 0}},
      {"[::]:8443", true, {"::", 8443}},
      {"[::1]:1", true, {"::1", 1}},
      {"localhost:65535", true, {"localhost", 65535}},
      {"8443", false, {}},
      {"127.0.0.1:", false, {}},
      {"127.0.0.1:65536", false, {}},
      {"127.0.0.1:-1", false, {}},
      {"127.0.0.1:84x3", false, {}},
      {"::1:8443", false, {}},
      {"[::1]8443", false, {}},
      {"[]:8443", false, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<ListenAddress> got = ParseListenAddress(c.text);
    ASSERT_EQ(got.ok(), c.ok) << got.status().ToString();
    if (c.ok) {
      EXPECT_EQ(*got, c.want);
    } else {
      EXPECT_NE(got.status().message().find(c.text), std::string::npos);
    }
  }
}

TEST(CommandLineTest, ServeDefaults) {
  Result<ServeFlags> f = ParseServeFlags({});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->listen, (ListenAddress{"0.0.0.0", 8443}));
  EXPECT_EQ(f->config_path, "");
  EXPECT_EQ(f->tls_cert, "/etc/memsecret/tls/tls.crt");
  EXPECT_EQ(f->tls_key, "/etc/memsecret/tls/tls.key");
  EXPECT_EQ(f->log_level, "info");
  EXPECT_EQ(f->shutdown_delay, std::chrono::seconds(0));
}

TEST(CommandLineTest, ServeFlagsInBothSpellings) {
  Result<ServeFlags> f =
      ParseServeFlags({"--config", "/c.yaml", "--listen=127.0.0.1:0", "--tls-cert", "/t.crt",
                       "--tls-key=/t.key", "--log-level", "debug", "--shutdown-delay=5s"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->config_path, "/c.yaml");
  EXPECT_EQ(f->listen, (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(f->tls_cert, "/t.crt");
  EXPECT_EQ(f->tls_key, "/t.key");
  EXPECT_EQ(f->log_level, "debug");
  EXPECT_EQ(f->shutdown_delay, std::chrono::seconds(5));
}

TEST(CommandLineTest, ServeUsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"}, {"--config"}, {"extra"}, {"--listen", "8443"}, {"--log-level", "loud"},
      {"-f", "x"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args.front());
    Result<ServeFlags> f = ParseServeFlags(args);
    EXPECT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), Code::kInvalidArgument);
  }
}

TEST(CommandLineTest, ErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--bogus"}, "unknown flag --bogus"},
      {{"--config"}, "--config needs a value (FILE)"},
      {{"--config", "/a", "--config=/b"}, "--config given twice"},  // was: the last one won
      {{"extra"}, "unexpected argument \"extra\""},
      {{"--", "--listen"}, "unexpected argument \"--listen\""},
      {{"--log-level", "loud"}, "--log-level \"loud\": expected trace, debug, info, warn or error"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.front());
    Result<ServeFlags> f = ParseServeFlags(c.args);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().message(), c.message);
  }
  EXPECT_EQ(ParseRenderFlags({"-n", "x"}).status().message(), "-f FILE|- is required");
}

TEST(CommandLineTest, UsageComesFromTheFlagTables) {
  const std::string usage = Usage();
  EXPECT_EQ(usage.rfind("usage: memsecret-webhook serve [--config FILE] [--listen ADDR:PORT]", 0),
            0u)
      << usage;
  for (const char* flag : {"[--shutdown-delay DURATION]", "render -f FILE|- [-n N] [--config FILE]",
                           "memsecret-webhook --version"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag << "\n" << usage;
  }
  const std::string help = CommandHelp("render");
  EXPECT_EQ(help.rfind(usage, 0), 0u);
  EXPECT_NE(help.find("  -n, --namespace N  "), std::string::npos) << help;
  EXPECT_EQ(CommandHelp("help"), usage);
}

TEST(CommandLineTest, RenderFlags) {
  Result<RenderFlags> f = ParseRenderFlags({"-f", "-", "--namespace", "crm", "--config=/c"});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->file, "-");
  EXPECT_EQ(f->namespace_name, "crm");
  EXPECT_EQ(f->config_path, "/c");

  Result<RenderFlags> long_form = ParseRenderFlags({"--file=pod.yaml", "-n", "x"});
  ASSERT_TRUE(long_form.ok());
  EXPECT_EQ(long_form->file, "pod.yaml");
  EXPECT_EQ(long_form->namespace_name, "x");
}

TEST(CommandLineTest, RenderUsageErrors) {
  EXPECT_FALSE(ParseRenderFlags({}).ok());                    // -f is required
  EXPECT_FALSE(ParseRenderFlags({"--namespace", "x"}).ok());  // still no -f
  EXPECT_FALSE(ParseRenderFlags({"-f"}).ok());                // missing value
  EXPECT_FALSE(ParseRenderFlags({"-f", "a", "b"}).ok());      // stray argument
  EXPECT_FALSE(ParseRenderFlags({"-f", "a", "--listen", ":1"}).ok());
}

}  // namespace
}  // namespace memsecret::webhook
