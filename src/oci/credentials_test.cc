#include "oci/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace hoist {
namespace {

namespace fs = std::filesystem;

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "hoist-creds-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    old_path_ = getenv("PATH");
    setenv("PATH", (dir_ + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }
  std::string Config(const std::string& json) {
    std::ofstream(dir_ + "/config.json") << json;
    return dir_ + "/config.json";
  }
  /// A credential helper speaking docker's helper protocol (a test program named as such:
  /// no real keychain runs here). It answers for one host and logs what it was asked.
  void Helper(const std::string& name, const std::string& host, const std::string& json) {
    std::string path = dir_ + "/docker-credential-" + name;
    std::ofstream(path) << "#!/bin/sh\nread host\necho \"$1 $host\" >> " << dir_
                        << "/helper.log\nif [ \"$host\" = \"" << host << "\" ]; then echo '" << json
                        << "'; else echo 'credentials not found in native keychain'; "
                        << "exit 1; fi\n";
    chmod(path.c_str(), 0755);
  }
  std::string dir_;
  std::string old_path_;
};

TEST_F(CredentialsTest, AuthsWithBase64AndExplicitFields) {
  auto store = CredentialStore::LoadFile(Config(R"({"auths": {
      "https://registry.example.com/v1/": {"auth": "dXNlcjpwYTpzcw=="},
      "other.example.com:5000": {"username": "u2", "password": "p2"}}})"));
  ASSERT_TRUE(store.ok());
  auto first = store->Lookup("registry.example.com");
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->username, "user");
  EXPECT_EQ((*first)->secret, "pa:ss");  // only the first ':' separates
  auto second = store->Lookup("other.example.com:5000");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->username, "u2");
  auto none = store->Lookup("unknown.example.com");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// `docker login` (no server) keeps Docker Hub's credentials under the index's address and asks
// a helper for that address; the registry itself is registry-1.docker.io. Pushing there found
// no credentials at all.
TEST_F(CredentialsTest, DockerHubsRegistryFindsTheCredentialsDockerLoginKeptForItsIndex) {
  auto store = CredentialStore::LoadFile(Config(R"({"auths": {
      "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="}}})"));
  ASSERT_TRUE(store.ok());
  for (const char* host : {"registry-1.docker.io", "docker.io"}) {
    auto found = store->Lookup(host);
    ASSERT_TRUE(found.ok() && found->has_value()) << host;
    EXPECT_EQ((*found)->username, "hub");
    EXPECT_EQ((*found)->secret, "secret");
  }
  auto other = store->Lookup("registry.example.com");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  Helper("desktop", "https://index.docker.io/v1/", R"({"Username":"hub","Secret":"helped"})");
  auto helped = CredentialStore::LoadFile(Config(R"({"credsStore": "desktop"})"));
  ASSERT_TRUE(helped.ok());
  auto asked = helped->Lookup("registry-1.docker.io");
  ASSERT_TRUE(asked.ok() && asked->has_value()) << (asked.ok() ? "" : asked.error().message);
  EXPECT_EQ((*asked)->secret, "helped");
}

TEST_F(CredentialsTest, CredHelpersWinOverCredsStoreOverAuths) {
  Helper("ecrish", "123.dkr.ecr.example.com", R"({"Username":"AWS","Secret":"from-helper"})");
  Helper("store", "registry.example.com", R"({"Username":"s","Secret":"from-store"})");
  auto store = CredentialStore::LoadFile(Config(R"({
      "credHelpers": {"123.dkr.ecr.example.com": "ecrish"},
      "credsStore": "store",
      "auths": {"registry.example.com": {"auth": "dTpw"}, "plain.example.com": {"auth": "dTpw"}}})"));
  ASSERT_TRUE(store.ok());
  auto ecr = store->Lookup("123.dkr.ecr.example.com");
  ASSERT_TRUE(ecr.ok()) << ecr.error().message;
  EXPECT_EQ((*ecr)->username, "AWS");
  EXPECT_EQ((*ecr)->secret, "from-helper");
  auto stored = store->Lookup("registry.example.com");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)->secret, "from-store");
  // The store knows nothing of this host: auths answers.
  auto plain = store->Lookup("plain.example.com");
  ASSERT_TRUE(plain.ok() && plain->has_value());
  EXPECT_EQ((*plain)->username, "u");
}

// The helper ran once per HTTP request (6-11 times per command): now once per host, shared by
// every copy of the store (each registry client holds one).
TEST_F(CredentialsTest, AHelperRunsOncePerHostForEveryCopy) {
  Helper("counted", "r.example.com", R"({"Username":"u","Secret":"s"})");
  auto store =
      CredentialStore::LoadFile(Config(R"({"credHelpers": {"r.example.com": "counted"}})"));
  ASSERT_TRUE(store.ok());
  CredentialStore copy = *store;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store->Lookup("r.example.com").ok());
    ASSERT_TRUE(copy.Lookup("r.example.com").ok());
  }
  std::ifstream log(dir_ + "/helper.log");
  std::string line;
  int runs = 0;
  while (std::getline(log, line)) ++runs;
  EXPECT_EQ(runs, 1);
}

TEST_F(CredentialsTest, AFailingHelperIsAnErrorThatNamesIt) {
  auto store =
      CredentialStore::LoadFile(Config(R"({"credHelpers": {"r.example.com": "missing-helper"}})"));
  ASSERT_TRUE(store.ok());
  auto found = store->Lookup("r.example.com");
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message.find("docker-credential-missing-helper"), std::string::npos);
}

TEST_F(CredentialsTest, MissingConfigMeansAnonymousAndBadJsonIsAnError) {
  auto missing = CredentialStore::LoadFile(dir_ + "/none.json");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->Lookup("x")->has_value());
  auto bad = CredentialStore::LoadFile(Config("{not json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
}

// A hand-edited config.json with fields of the wrong type ended hoist (exit 134, an uncaught
// JSON type error); such a field now counts as absent.
TEST_F(CredentialsTest, FieldsOfTheWrongTypeAreIgnoredNotFatal) {
  auto store = CredentialStore::LoadFile(Config(R"({"auths": {
      "a.example.com": {"username": 5, "password": ["x"], "identitytoken": {}},
      "b.example.com": {"username": "u", "password": 7, "auth": 3}},
      "credHelpers": {"c.example.com": 1}, "credsStore": false})"));
  ASSERT_TRUE(store.ok());
  auto a = store->Lookup("a.example.com");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->has_value());
  auto b = store->Lookup("b.example.com");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->username, "u");
  EXPECT_EQ((*b)->secret, "");
  Helper("typed", "d.example.com", R"({"Username": 1, "Secret": "s"})");
  auto helped = CredentialStore::LoadFile(Config(R"({"credHelpers": {"d.example.com": "typed"}})"));
  ASSERT_TRUE(helped.ok());
  auto d = helped->Lookup("d.example.com");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->secret, "s");
}

}  // namespace
}  // namespace hoist
