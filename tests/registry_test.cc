// The OCI distribution client against real registries: copies between registries, indexes,
// mounts, pagination, token reuse, and credentials kept out of every output.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "oci/distribution_client.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::FaultProxy;
using testing::PushTestImage;
using testing::PushTestIndex;
using testing::RegistryAuth;
using testing::RegistryFixture;

class RegistryAuthModes : public ::testing::TestWithParam<RegistryAuth> {};

std::string AuthModeName(const ::testing::TestParamInfo<RegistryAuth>& mode) {
  return mode.param == RegistryAuth::kNone       ? "PlainHttp"
         : mode.param == RegistryAuth::kBasicTls ? "TlsBasic"
                                                 : "BearerToken";
}

TEST_P(RegistryAuthModes, CopyBetweenTwoRegistriesMovesOnlyMissingBlobs) {
  RegistryFixture source_registry(GetParam()), target_registry(GetParam());
  HttpClient source_http(source_registry.http_options());
  HttpClient target_http(target_registry.http_options());
  auto source = source_registry.Client(source_http);
  auto target = target_registry.Client(target_http);

  std::string image = PushTestImage(*source, "team/app", "cache-1", "app");
  std::string index = PushTestIndex(*source, "team/multi", "cache-2", "multi");
  ASSERT_TRUE(CopyImage(*source, "team/app", "cache-1", *target, "prod/app", "v1").ok());
  ASSERT_TRUE(CopyImage(*source, "team/multi", "cache-2", *target, "prod/multi", "v1").ok());

  // Same bytes, same digests, children of the index included.
  auto copied = target->HeadManifest("prod/app", "v1");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->value_or(""), image);
  auto copied_index = target->GetManifest("prod/multi", "v1");
  ASSERT_TRUE(copied_index.ok()) << copied_index.error().message;
  EXPECT_EQ(copied_index->digest, index);
  EXPECT_EQ(copied_index->media_type, kOciIndex);
  const auto children = nlohmann::json::parse(copied_index->bytes)["manifests"];
  for (const auto& child : children) {
    auto present = target->HeadManifest("prod/multi", child["digest"].get<std::string>());
    ASSERT_TRUE(present.ok());
    EXPECT_TRUE(present->has_value());
  }

  // A second copy finds every blob present: no blob is uploaded again.
  size_t before = target_http.requests_sent();
  ASSERT_TRUE(CopyImage(*source, "team/app", "cache-1", *target, "prod/app", "v2").ok());
  size_t after = target_http.requests_sent();
  EXPECT_LE(after - before, 3u);  // two blob HEADs and the manifest PUT (tokens cached)
}

/// A name of this machine that resolves to a loopback address without being a loopback name
/// (localhost, 127.x, ::1): on Debian, the host name ("" when it resolves elsewhere).
std::string LoopbackAlias() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_INET;
  if (getaddrinfo(name, nullptr, &hints, &found) != 0 || !found) return "";
  const auto* address = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  const bool loopback = (ntohl(address->sin_addr.s_addr) >> 24) == 127;
  freeaddrinfo(found);
  return loopback && !IsLoopbackHost(name) ? name : "";
}

TEST(PlainHttp, OnlyLoopbackAndInsecureRegistryHostsSpeakIt) {
  const std::string alias = LoopbackAlias();
  if (alias.empty()) {
    GTEST_SKIP() << "this machine's host name does not resolve to a loopback address, and "
                    "no traffic may leave the machine: nothing to test plain HTTP against";
  }
  RegistryFixture registry;
  const std::string port = registry.host().substr(registry.host().find(':'));
  HttpClient http;
  // http:// in the setting is not consent: the request is refused before it is sent.
  auto refused = registry.Client(http, "http://" + alias + port)->HeadManifest("app", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("refusing plain HTTP"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--insecure-registry " + alias + port), std::string::npos);
  EXPECT_EQ(http.requests_sent(), 0u);
  RegistryOptions insecure;
  insecure.insecure_hosts = {alias + port};
  auto allowed =
      registry.Client(http, "http://" + alias + port, insecure)->HeadManifest("app", "x");
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  // And through hoist, with --registry (or HOIST_REGISTRY).
  testing::TempRepo repo;
  repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
  repo.Write("app/Dockerfile", "FROM scratch\n");
  repo.Commit();
  auto status =
      testing::RunHoist(repo.root(), {"--registry", "http://" + alias + port + "/t", "status"});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("refusing plain HTTP"), std::string::npos) << status.err;
}

TEST_P(RegistryAuthModes, CopyWithinARegistryMountsBlobs) {
  RegistryFixture registry(GetParam());
  HttpClient http(registry.http_options());
  auto client = registry.Client(http);
  std::string image = PushTestImage(*client, "cache/app", "cache-1", "app");
  ASSERT_TRUE(CopyImage(*client, "cache/app", "cache-1", *client, "deploy/app", "prod").ok());
  auto copied = client->HeadManifest("deploy/app", "prod");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->value_or(""), image);
}

TEST_P(RegistryAuthModes, RetagIsOneGetAndOnePut) {
  RegistryFixture registry(GetParam());
  HttpClient http(registry.http_options());
  auto client = registry.Client(http);
  std::string image = PushTestImage(*client, "app", "cache-1", "app");
  size_t before = http.requests_sent();
  ASSERT_TRUE(client->Retag("app", "cache-1", "latest").ok());
  EXPECT_EQ(http.requests_sent() - before, 2u);
  EXPECT_EQ(client->HeadManifest("app", "latest")->value_or(""), image);
}

INSTANTIATE_TEST_SUITE_P(Registry, RegistryAuthModes,
                         ::testing::Values(RegistryAuth::kNone, RegistryAuth::kBasicTls,
                                           RegistryAuth::kToken),
                         AuthModeName);

TEST(Registry, LargeBlobsUploadInChunks) {
  RegistryFixture registry;
  HttpClient http;
  RegistryOptions options;
  options.chunk_size = 1000;
  std::vector<std::string> log;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  auto client = registry.Client(http, "", options);
  std::string blob;
  for (int i = 0; i < 3500; ++i) blob += static_cast<char>('a' + i % 26);
  std::string digest = Sha256Digest(blob);
  ASSERT_TRUE(client->PutBlob("app", digest, blob).ok());
  auto patches = std::count_if(
      log.begin(), log.end(), [](const std::string& line) { return line.rfind("PATCH ", 0) == 0; });
  EXPECT_EQ(patches, 4);
  auto back = client->GetBlob("app", digest);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, blob);
  // A wrong digest is refused by the registry and reported.
  auto wrong = client->PutBlob("app", Sha256Digest("other"), blob);
  EXPECT_FALSE(wrong.ok());
}

TEST(Registry, Http2IsAnOption) {
  RegistryFixture registry(RegistryAuth::kBasicTls);
  HttpOptions options = registry.http_options();
  options.http2 = true;
  HttpClient http(options);
  auto client = registry.Client(http);
  std::string image = PushTestImage(*client, "app", "cache-1", "h2");
  ASSERT_TRUE(CopyImage(*client, "app", "cache-1", *client, "copy", "v1").ok());
  EXPECT_EQ(client->HeadManifest("copy", "v1")->value_or(""), image);
}

TEST(Registry, TagListsFollowLinkPagination) {
  RegistryFixture registry;
  FaultProxy proxy(registry.host());
  HttpClient http;
  auto direct = registry.Client(http);
  PushTestImage(*direct, "app", "t1", "x");
  for (const char* tag : {"t2", "t3", "t4", "t5"})
    ASSERT_TRUE(direct->Retag("app", "t1", tag).ok());
  proxy.Configure(R"({"page_size": 2})");
  auto through_proxy = registry.Client(http, proxy.host());
  auto tags = through_proxy->ListTags("app");
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"t1", "t2", "t3", "t4", "t5"}));
  EXPECT_GE(proxy.Stats().first, 3);  // the pages came one by one
  auto none = through_proxy->ListTags("no-such-repository");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Registry, OneTokenServesEveryRepositoryOnceAuthorized) {
  RegistryFixture registry(RegistryAuth::kToken);
  HttpClient http;
  auto client = registry.Client(http);
  std::vector<std::string> repositories;
  for (int i = 0; i < 5; ++i) {
    repositories.push_back("p" + std::to_string(i));
    PushTestImage(*client, repositories.back(), "cache-1", "x");
  }
  auto reader = registry.Client(http);
  ASSERT_TRUE(reader->Authorize(repositories, /*push=*/false).ok());
  int tokens = registry.tokens_issued();
  size_t before = http.requests_sent();
  for (const auto& repository : repositories) {
    auto present = reader->HeadManifest(repository, "cache-1");
    ASSERT_TRUE(present.ok()) << present.error().message;
    EXPECT_TRUE(present->has_value());
  }
  EXPECT_EQ(http.requests_sent() - before, repositories.size());  // one request per project
  EXPECT_EQ(registry.tokens_issued(), tokens);                    // and no new token
}

TEST(Registry, WrongCredentialsAreAnErrorNeverAbsent) {
  for (RegistryAuth auth : {RegistryAuth::kBasicTls, RegistryAuth::kToken}) {
    RegistryFixture registry(auth);
    HttpClient http(registry.http_options());
    auto empty = CredentialStore::LoadFile("/nonexistent/config.json");
    DistributionClient anonymous(registry.host(), http, *empty, {});
    auto answer = anonymous.HeadManifest("app", "cache-1");
    ASSERT_FALSE(answer.ok());
    EXPECT_NE(answer.error().message.find("registry " + registry.host()), std::string::npos);
    EXPECT_NE(answer.error().message.find("docker login"), std::string::npos)
        << answer.error().message;
  }
}

TEST(Registry, TlsIsVerifiedUnlessTheCaIsTrusted) {
  RegistryFixture registry(RegistryAuth::kBasicTls);
  HttpClient untrusting;  // the system's CAs only
  RegistryOptions options;
  auto client = registry.Client(untrusting, "", options);
  auto ping = client->Ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_NE(ping.error().message.find("TLS certificate is not trusted"), std::string::npos)
      << ping.error().message;
  EXPECT_NE(ping.error().message.find("--registry-ca"), std::string::npos);
  HttpClient trusting(registry.http_options());
  EXPECT_TRUE(registry.Client(trusting)->Ping().ok());
}

/// Every output of a command that used credentials, -v included.
TEST(Registry, CredentialsNeverAppearInOutput) {
  for (RegistryAuth auth : {RegistryAuth::kBasicTls, RegistryAuth::kToken}) {
    RegistryFixture registry(auth);
    testing::TempRepo repo;
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n");
    repo.Write("app/Dockerfile", "FROM scratch\n");
    repo.Commit();
    std::string env = "DOCKER_CONFIG=" + registry.docker_config_dir();
    std::vector<std::string> prefix = {
        "env",          env,  "HOIST_REGISTRY_CA=" + registry.ca_file(),
        HOIST_BINARY,   "-v", "--registry",
        registry.host()};
    for (std::vector<std::string> command : {std::vector<std::string>{"taint", "app"},
                                             {"status"},
                                             {"image", "exists", "app", "tainted"},
                                             {"image", "exists", "app", "nope"},
                                             {"--json", "status"}}) {
      std::vector<std::string> argv = prefix;
      argv.insert(argv.end(), command.begin(), command.end());
      ProcessSpec spec;
      spec.argv = argv;
      spec.cwd = repo.root();
      auto result = RunProcess(spec);
      ASSERT_TRUE(result.ok());
      std::string all = result->stdout_text + result->stderr_text;
      EXPECT_EQ(all.find("s3cret-Pa55word"), std::string::npos) << all;
      EXPECT_EQ(all.find("aG9pc3QtdXNlcjpzM2NyZXQtUGE1NXdvcmQ"), std::string::npos) << all;
      EXPECT_EQ(all.find("Bearer "), std::string::npos) << all;
      EXPECT_EQ(all.find("eyJ"), std::string::npos) << all;  // no JWT
    }
  }
}

}  // namespace
}  // namespace hoist
