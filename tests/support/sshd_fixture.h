#pragma once

#include <memory>
#include <string>

#include "support/registry_fixture.h"

namespace hoist::testing {

/// A real sshd (Debian openssh-server) on a free loopback port, with a host key and a client
/// key made for the test; it lets the current user in with that key only. Behind it is this
/// machine, and so its real Docker engine.
class SshdFixture {
 public:
  SshdFixture();
  ~SshdFixture();

  int port() const { return port_; }
  /// ssh://USER@127.0.0.1:PORT
  std::string url() const;
  /// The `ssh:` section of hoist.yml that trusts this server and uses the client key.
  std::string HoistYmlSsh() const;
  /// Ends every SSH connection (kills the per-connection sshd processes); the server stays.
  void DropConnections();
  /// How many connections were accepted so far (from the server's log).
  int Connections() const;
  /// True when sshd runs; otherwise `problem()` says why.
  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string user_;
  int port_ = 0;
  std::string problem_;
  std::unique_ptr<BackgroundProcess> sshd_;
};

}  // namespace hoist::testing
