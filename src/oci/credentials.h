#pragma once

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
  /// a credential helper fails.
  Expected<std::optional<Credentials>> Lookup(const std::string& host) const;

 private:
  std::string config_text_;
};

}  // namespace hoist
