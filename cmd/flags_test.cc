#include "cmd/flags.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "cmd/server_flags.h"
#include "lib/base/files.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::cmd {
namespace {

// Parses a server command line with an explicit config file.
struct Parsed {
  ServerConfig cfg;
  ParseOutcome outcome;
};

Parsed ParseServer(std::vector<std::string> args) {
  Parsed p;
  CLI::App app("test", "k1s server");
  AddServerFlags(app, p.cfg);
  args.insert(args.begin(), "server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  p.outcome = ParseFlags(app, "k1s server", static_cast<int>(argv.size()), argv.data());
  return p;
}

class FlagsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("K1S_DATA_DIR");
    unsetenv("K1S_HTTPS_LISTEN_PORT");
    unsetenv("K1S_DISABLE_AGENT");
  }
  std::string Config(const std::string& yaml) {
    std::string path = dir_.File("config.yaml");
    EXPECT_TRUE(WriteFileAtomic(path, yaml).ok());
    return path;
  }
  testutil::TempDir dir_;
};

TEST_F(FlagsTest, EnvNamesFollowFlagNames) {
  EXPECT_EQ(EnvNameFor("data-dir"), "K1S_DATA_DIR");
  EXPECT_EQ(EnvNameFor("https-listen-port"), "K1S_HTTPS_LISTEN_PORT");
}

TEST_F(FlagsTest, DefaultsApplyWhenNothingIsSet) {
  auto p = ParseServer({"--config", Config("{}")});
  ASSERT_FALSE(p.outcome.exit);
  EXPECT_EQ(p.cfg.https_listen_port, 6443);
  EXPECT_EQ(p.cfg.service_cidr, "10.43.0.0/16");
  EXPECT_FALSE(p.cfg.disable_agent);
}

TEST_F(FlagsTest, FlagBeatsEnvBeatsFileBeatsDefault) {
  std::string cfg = Config("data-dir: /from/file\nhttps-listen-port: 7000\ncluster-domain: file.local\n");
  setenv("K1S_DATA_DIR", "/from/env", 1);
  setenv("K1S_HTTPS_LISTEN_PORT", "7001", 1);
  auto p = ParseServer({"--config", cfg, "--data-dir", "/from/flag"});
  ASSERT_FALSE(p.outcome.exit);
  EXPECT_EQ(p.cfg.data_dir, "/from/flag");
  EXPECT_EQ(p.cfg.https_listen_port, 7001);
  EXPECT_EQ(p.cfg.cluster_domain, "file.local");
  EXPECT_EQ(p.cfg.cluster_cidr, "10.42.0.0/16");
}

TEST_F(FlagsTest, ListsAndBooleansComeFromTheFile) {
  auto p = ParseServer({"--config", Config("tls-san: [a.example, 10.0.0.5]\ndisable-agent: true\n")});
  ASSERT_FALSE(p.outcome.exit);
  EXPECT_EQ(p.cfg.tls_san, (std::vector<std::string>{"a.example", "10.0.0.5"}));
  EXPECT_TRUE(p.cfg.disable_agent);
}

TEST_F(FlagsTest, BooleanFromEnvironment) {
  setenv("K1S_DISABLE_AGENT", "true", 1);
  auto p = ParseServer({"--config", Config("{}")});
  ASSERT_FALSE(p.outcome.exit);
  EXPECT_TRUE(p.cfg.disable_agent);
}

TEST_F(FlagsTest, UnknownKeyNamesKeyAndFile) {
  std::string path = Config("data-dirr: /x\n");
  CLI::App app("test", "k1s server");
  ServerConfig cfg;
  AddServerFlags(app, cfg);
  auto s = ApplyConfigFile(app, "k1s server", path, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unknown key \"data-dirr\""), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos);
}

TEST_F(FlagsTest, BadValueInFileSaysWhatWasExpected) {
  std::string path = Config("https-listen-port: abc\n");
  CLI::App app("test", "k1s server");
  ServerConfig cfg;
  AddServerFlags(app, cfg);
  auto s = ApplyConfigFile(app, "k1s server", path, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("https-listen-port"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos);
}

TEST_F(FlagsTest, BadCidrIsRejected) {
  auto p = ParseServer({"--config", Config("{}"), "--service-cidr", "10.43.0.0"});
  EXPECT_TRUE(p.outcome.exit);
  EXPECT_EQ(p.outcome.code, 1);
}

TEST_F(FlagsTest, YamlSyntaxErrorReportsTheLine) {
  std::string path = Config("data-dir: /x\n  bad: [\n");
  CLI::App app("test", "k1s server");
  ServerConfig cfg;
  AddServerFlags(app, cfg);
  auto s = ApplyConfigFile(app, "k1s server", path, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("line"), std::string::npos) << s.error().message;
}

TEST_F(FlagsTest, MissingExplicitFileIsAnErrorButMissingDefaultIsNot) {
  CLI::App app("test", "k1s server");
  ServerConfig cfg;
  AddServerFlags(app, cfg);
  EXPECT_FALSE(ApplyConfigFile(app, "k1s server", dir_.File("nope.yaml"), true).ok());
  EXPECT_TRUE(ApplyConfigFile(app, "k1s server", dir_.File("nope.yaml"), false).ok());
}

}  // namespace
}  // namespace k1s::cmd
