#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "util/expected.h"

namespace hoist {

/// A user name and secret for one registry. Never printed.
struct Credentials {
  std::string username;
  std::string secret;
  /// An OAuth2 refresh token (docker's "identitytoken"): exchanged at the token endpoint.
  std::string identity_token;
};

/// Credentials as the docker CLI finds them in $DOCKER_CONFIG/config.json (default
/// ~/.docker/config.json): `credHelpers` for the host, then `credsStore`, then `auths`.
class CredentialStore {
 public:
  /// Reads the docker config; an absent file means no credentials.
  static Expected<CredentialStore> Load();
  /// From the config file at `path` (for tests).
  static Expected<CredentialStore> LoadFile(const std::string& path);

  /// The credentials for `host` ("host[:port]"), nullopt for anonymous access, or an Error when
  /// a credential helper fails. Each host is looked up once per store and its copies (a
  /// credential helper is a process, and a client asks before every authenticated request).
  Expected<std::optional<Credentials>> Lookup(const std::string& host) const;

 private:
  Expected<std::optional<Credentials>> LookupOnce(const std::string& host) const;
  std::string config_text_;
  struct Cache {
    std::mutex mutex;
    std::map<std::string, Expected<std::optional<Credentials>>> answers;
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

}  // namespace hoist
