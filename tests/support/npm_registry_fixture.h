#pragma once

#include <memory>
#include <string>

#include "support/registry_fixture.h"

namespace hoist::testing {

/// A real npm registry: verdaccio (installed by scripts/bootstrap.sh into build/tools from the
/// npm registry) on a free loopback port, storage in a temporary directory, no uplinks, and
/// one user whose token publishes.
class NpmRegistryFixture {
 public:
  NpmRegistryFixture();
  ~NpmRegistryFixture();

  /// "http://127.0.0.1:PORT/".
  const std::string& url() const { return url_; }
  /// The publishing user's token (what CI keeps in NPM_TOKEN).
  const std::string& token() const { return token_; }
  /// True when verdaccio started; otherwise `problem()` says why.
  bool ok() const { return !token_.empty(); }
  const std::string& problem() const { return problem_; }

 private:
  std::string dir_;
  std::string url_;
  std::string token_;
  std::string problem_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace hoist::testing
