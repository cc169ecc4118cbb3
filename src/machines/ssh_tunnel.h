#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/background_process.h"
#include "util/expected.h"
#include "util/temp_directory.h"

namespace hoist {

/// A machine's Docker engine reached over SSH: ssh://[USER@]HOST[:PORT][/REMOTE/DOCKER.SOCK].
struct SshTarget {
  std::string user;
  std::string host;
  int port = 22;
  std::string socket = "/var/run/docker.sock";

  static Expected<SshTarget> Parse(const std::string& url);
  /// ssh://user@host:port, as messages show it.
  std::string Display() const;
};

/// How hoist calls ssh (hoist.yml `ssh:`): an identity file and extra -o options.
struct SshSettings {
  std::string identity_file;
  std::vector<std::string> options;  ///< "Name=value", each passed as -o
  int connect_timeout_seconds = 20;
  /// A machine made for this job (spot): its host key is new, so it is trusted on first use
  /// and remembered only for this connection, never in the user's known_hosts.
  bool fresh_host_key = false;
};

/// One SSH connection that forwards a local socket to the remote Docker engine's socket
/// (ssh -L LOCAL.sock:REMOTE.sock), so the docker CLI and hoist's Engine API client reach the
/// remote engine through DOCKER_HOST=unix://LOCAL.sock, one handshake per host and run.
/// Keepalives notice a dead connection within about 15 s; the tunnel ends with this object.
class SshTunnel {
 public:
  /// Connects and waits (bounded) until the forwarded socket answers; the Error carries ssh's
  /// own words (Permission denied, Connection refused, …).
  static Expected<std::unique_ptr<SshTunnel>> Open(const SshTarget& target,
                                                   const SshSettings& settings);
  ~SshTunnel();

  /// "unix:///tmp/hoist-ssh-…/docker.sock".
  std::string docker_host() const { return "unix://" + socket_; }
  /// Whether the SSH connection still stands.
  bool alive();
  /// The last lines ssh wrote (why a connection ended).
  std::string LogTail() const;

 private:
  SshTunnel() = default;
  TempDirectory dir_;  // declared first: it outlives ssh_
  std::string socket_;
  std::unique_ptr<BackgroundProcess> ssh_;
};

}  // namespace hoist
