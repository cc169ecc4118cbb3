#include "support/registry_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "store/registry_store.h"
#include "support/temp_repo.h"
#include "util/subprocess.h"

extern char** environ;

namespace hoist::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "hoist-user";
constexpr const char* kPassword = "s3cret-Pa55word";

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

/// Waits for a fixture to write its port to `file`.
int WaitForPortFile(const std::string& file, int seconds = 15) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(file)) return std::stoi(ReadText(file));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

/// Waits for docker-registry to log "listening on 127.0.0.1:PORT" in `log`.
int WaitForLoggedPort(const std::string& log, int seconds = 15) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const std::string marker = "listening on 127.0.0.1:";
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = ReadText(log);
    size_t at = text.find(marker);
    if (at != std::string::npos) return std::atoi(text.c_str() + at + marker.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string FixtureScript(const std::string& name) {
  return std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/" + name;
}

std::string Base64(const std::string& text) {
  auto out = RunOk("/", {"base64", "-w0"}, text);
  return out;
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

bool WaitForPort(int port, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

RegistryFixture::RegistryFixture(RegistryAuth auth) : auth_(auth) {
  dir_ = MakeTempDir("hoist-registry");
  std::string auth_config;
  std::string tls_config;
  if (auth_ == RegistryAuth::kBasicTls) {
    RunOk(dir_, {"bash", "-c",
                 "set -e; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt "
                 "-subj /CN=hoist-test-ca -days 2 2>/dev/null; "
                 "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
                 "-subj /CN=127.0.0.1 2>/dev/null; "
                 "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext; "
                 "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
                 "-out server.crt -days 2 -extfile san.ext 2>/dev/null"});
    WriteFile(dir_ + "/htpasswd", RunOk(dir_, {"htpasswd", "-Bbn", kUser, kPassword}));
    tls_config =
        "  tls:\n    certificate: " + dir_ + "/server.crt\n    key: " + dir_ + "/server.key\n";
    auth_config = "auth:\n  htpasswd:\n    realm: hoist-test\n    path: " + dir_ + "/htpasswd\n";
  } else if (auth_ == RegistryAuth::kToken) {
    RunOk(dir_, {"bash", "-c",
                 "openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt "
                 "-subj /CN=hoist-token-issuer -days 2 2>/dev/null"});
    token_issuer_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"python3", FixtureScript("token_issuer.py"), dir_ + "/token.port",
                                 dir_ + "/token.key", dir_ + "/token.crt", "hoist-test-issuer",
                                 kUser, kPassword},
        dir_ + "/token.log");
    int token_port = WaitForPortFile(dir_ + "/token.port");
    EXPECT_GT(token_port, 0) << ReadText(dir_ + "/token.log");
    token_host_ = "127.0.0.1:" + std::to_string(token_port);
    auth_config = "auth:\n  token:\n    realm: http://" + token_host_ +
                  "/token\n    service: hoist-test-registry\n    issuer: hoist-test-issuer\n"
                  "    rootcertbundle: " +
                  dir_ + "/token.crt\n";
  }
  WriteFile(dir_ + "/config.yml",
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n    rootdirectory: " +
                dir_ +
                "/data\n  delete:\n    enabled: true\n"
                "http:\n  addr: 127.0.0.1:0\n" +
                tls_config + auth_config);
  // Port 0: the registry binds a free port itself and logs it; no other process can take it
  // between a probe and the bind (the race of picking a port first).
  registry_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"docker-registry", "serve", dir_ + "/config.yml"},
      dir_ + "/registry.log");
  const int port = WaitForLoggedPort(dir_ + "/registry.log");
  EXPECT_GT(port, 0) << "docker-registry did not start: " << ReadText(dir_ + "/registry.log");
  host_ = "127.0.0.1:" + std::to_string(port);
  if (auth_ != RegistryAuth::kNone) {
    nlohmann::json config = {
        {"auths", {{host_, {{"auth", Base64(std::string(kUser) + ":" + kPassword)}}}}}};
    WriteFile(dir_ + "/config.json", config.dump());
  }
  EXPECT_TRUE(WaitForPort(port)) << "docker-registry did not answer: "
                                 << ReadText(dir_ + "/registry.log");
}

RegistryFixture::~RegistryFixture() {
  registry_.reset();
  token_issuer_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string RegistryFixture::ca_file() const {
  return auth_ == RegistryAuth::kBasicTls ? dir_ + "/ca.crt" : "";
}

HttpOptions RegistryFixture::http_options() const {
  HttpOptions options;
  options.ca_file = ca_file();
  return options;
}

std::unique_ptr<DistributionClient> RegistryFixture::Client(HttpClient& http,
                                                            const std::string& host,
                                                            RegistryOptions options) const {
  auto credentials = CredentialStore::LoadFile(dir_ + "/config.json");
  EXPECT_TRUE(credentials.ok());
  return std::make_unique<DistributionClient>(host.empty() ? host_ : host, http,
                                              std::move(*credentials), std::move(options));
}

int RegistryFixture::tokens_issued() const {
  if (token_host_.empty()) return 0;
  HttpClient http;
  auto response = http.Send({"GET", "http://" + token_host_ + "/stats", {}, "", "", ""});
  if (!response) return -1;
  return nlohmann::json::parse(response->body).value("issued", -1);
}

FaultProxy::FaultProxy(const std::string& upstream) {
  dir_ = MakeTempDir("hoist-proxy");
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"python3", FixtureScript("fault_proxy.py"), dir_ + "/port",
                               upstream},
      dir_ + "/proxy.log");
  int port = WaitForPortFile(dir_ + "/port");
  EXPECT_GT(port, 0) << ReadText(dir_ + "/proxy.log");
  host_ = "127.0.0.1:" + std::to_string(port);
}

void FaultProxy::Configure(const std::string& json) {
  HttpClient http;
  auto response = http.Send({"POST", "http://" + host_ + "/__proxy/config", {}, json, "", ""});
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200);
}

std::pair<int, int> FaultProxy::Stats() {
  HttpClient http;
  auto response = http.Send({"GET", "http://" + host_ + "/__proxy/stats", {}, "", "", ""});
  if (!response) return {-1, -1};
  auto json = nlohmann::json::parse(response->body);
  return {json.value("requests", -1), json.value("faults", -1)};
}

int FaultProxy::Connections() {
  HttpClient http;
  auto response = http.Send({"GET", "http://" + host_ + "/__proxy/stats", {}, "", "", ""});
  if (!response) return -1;
  return nlohmann::json::parse(response->body).value("connections", -1);
}

std::string PushTestImage(DistributionClient& client, const std::string& repository,
                          const std::string& tag, const std::string& content) {
  // A layer is a tar; any bytes do for the registry, but keep it a real (empty-ish) tar.
  std::string layer(1024, '\0');
  layer.replace(0, std::min<size_t>(content.size(), 100), content.substr(0, 100));
  std::string layer_digest = Sha256Digest(layer);
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Labels", {{"test.content", content}}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", {layer_digest}}}}};
  std::string config_bytes = config.dump();
  std::string config_digest = Sha256Digest(config_bytes);
  EXPECT_TRUE(client.PutBlob(repository, config_digest, config_bytes).ok());
  EXPECT_TRUE(client.PutBlob(repository, layer_digest, layer).ok());
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", kDockerManifest},
                             {"config",
                              {{"mediaType", "application/vnd.docker.container.image.v1+json"},
                               {"size", config_bytes.size()},
                               {"digest", config_digest}}},
                             {"layers",
                              {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar"},
                                {"size", layer.size()},
                                {"digest", layer_digest}}}}};
  auto digest = client.PutManifest(repository, tag, kDockerManifest, manifest.dump());
  EXPECT_TRUE(digest.ok()) << (digest.ok() ? "" : digest.error().message);
  return digest.ok() ? *digest : "";
}

std::string PushBuiltImage(const RegistryFixture& registry, const std::string& repository,
                           const std::string& hash, const std::string& content) {
  HttpClient http;
  const std::string digest =
      PushTestImage(*registry.Client(http), repository, "cache-" + hash, content);
  const size_t slash = repository.rfind('/');
  RegistryLocation location{registry.host(),
                            slash == std::string::npos ? "" : repository.substr(0, slash)};
  RegistryStore store(location, registry.Client(http));
  Marker built;
  built.kind = "built";
  built.project = repository.substr(slash == std::string::npos ? 0 : slash + 1);
  built.hash = hash;
  built.digest = digest;
  built.tier = "trusted";
  auto recorded = store.PutMarker(built.project, "built-" + hash, built);
  EXPECT_TRUE(recorded.ok()) << (recorded.ok() ? "" : recorded.error().message);
  return digest;
}

std::string PushTestIndex(DistributionClient& client, const std::string& repository,
                          const std::string& tag, const std::string& content) {
  nlohmann::json manifests = nlohmann::json::array();
  for (const char* arch : {"amd64", "arm64"}) {
    std::string digest =
        PushTestImage(client, repository, std::string("part-") + arch, content + "-" + arch);
    auto manifest = client.GetManifest(repository, digest);
    EXPECT_TRUE(manifest.ok());
    manifests.push_back({{"mediaType", kDockerManifest},
                         {"digest", digest},
                         {"size", manifest.ok() ? manifest->bytes.size() : 0},
                         {"platform", {{"architecture", arch}, {"os", "linux"}}}});
  }
  nlohmann::json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", manifests}};
  auto digest = client.PutManifest(repository, tag, kOciIndex, index.dump());
  EXPECT_TRUE(digest.ok()) << (digest.ok() ? "" : digest.error().message);
  return digest.ok() ? *digest : "";
}

}  // namespace hoist::testing
