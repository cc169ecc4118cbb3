#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "oci/distribution_client.h"
#include "util/background_process.h"

namespace hoist::testing {

/// A program started in the background for a test (a registry, a token issuer, a proxy),
/// stopped when this goes out of scope.
using hoist::BackgroundProcess;

/// How a test registry authenticates.
enum class RegistryAuth {
  kNone,      ///< plain HTTP, anonymous
  kBasicTls,  ///< TLS with a CA made in the test, htpasswd Basic auth
  kToken,     ///< plain HTTP, `auth: token` with the token issuer fixture signing JWTs
};

/// A real Distribution registry (Debian's docker-registry) on a free loopback port, with its
/// storage in a temporary directory, and the docker config (credentials) a client needs.
class RegistryFixture {
 public:
  explicit RegistryFixture(RegistryAuth auth = RegistryAuth::kNone);
  ~RegistryFixture();

  /// "127.0.0.1:PORT".
  const std::string& host() const { return host_; }
  /// A directory with config.json holding this registry's credentials (DOCKER_CONFIG).
  const std::string& docker_config_dir() const { return dir_; }
  /// The CA that signed the registry's certificate ("" without TLS).
  std::string ca_file() const;
  /// Options for an HttpClient that trusts this registry.
  HttpOptions http_options() const;
  /// A client of this registry (or of `host` in front of it) with the fixture's credentials.
  std::unique_ptr<DistributionClient> Client(HttpClient& http, const std::string& host = "",
                                             RegistryOptions options = {}) const;
  /// Tokens the token issuer has issued so far (kToken only).
  int tokens_issued() const;
  const std::string& dir() const { return dir_; }

 private:
  RegistryAuth auth_;
  std::string dir_;
  std::string host_;
  std::string token_host_;
  std::unique_ptr<BackgroundProcess> token_issuer_;
  std::unique_ptr<BackgroundProcess> registry_;
};

/// The fault-injecting proxy fixture (tests/fixtures/fault_proxy.py) in front of `upstream`.
class FaultProxy {
 public:
  explicit FaultProxy(const std::string& upstream);
  const std::string& host() const { return host_; }
  /// Sets the faults (see fault_proxy.py), replacing the previous ones.
  void Configure(const std::string& json);
  /// {"requests": N, "faults": M} as (requests, faults).
  std::pair<int, int> Stats();
  /// The connections accepted so far (the stats request's own among them).
  int Connections();

 private:
  std::string dir_;
  std::string host_;
  std::unique_ptr<BackgroundProcess> process_;
};

/// Pushes a small real image (config + one layer + a Docker v2 manifest) built from
/// `content`; returns its manifest digest.
std::string PushTestImage(DistributionClient& client, const std::string& repository,
                          const std::string& tag, const std::string& content);
/// Pushes an OCI index of two such images; returns its digest.
std::string PushTestIndex(DistributionClient& client, const std::string& repository,
                          const std::string& tag, const std::string& content);

/// Pushes a test image as cache-<hash> of `repository` ("PREFIX/PROJECT") with the build record
/// a trusted hoist build writes beside it (built-<hash>), as if hoist had built it there;
/// returns its digest.
std::string PushBuiltImage(const RegistryFixture& registry, const std::string& repository,
                           const std::string& hash, const std::string& content);

/// A free TCP port on 127.0.0.1.
int FreePort();
/// Waits until something accepts connections on 127.0.0.1:port; false after `seconds`.
bool WaitForPort(int port, int seconds = 15);

}  // namespace hoist::testing
