#include "machines/ssh_tunnel.h"

#include <re2/re2.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hoist {
namespace {

namespace fs = std::filesystem;

bool SocketAnswers(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

}  // namespace

Expected<SshTarget> SshTarget::Parse(const std::string& url) {
  static const RE2 kUrl(
      R"(ssh://(?:([^@/:]+)@)?([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::(\d+))?(/\S*)?)");
  SshTarget target;
  std::string port, socket;
  if (!RE2::FullMatch(url, kUrl, &target.user, &target.host, &port, &socket)) {
    return Error{"remote '" + url + "' is not ssh://[USER@]HOST[:PORT][/PATH/TO/docker.sock]"};
  }
  if (!port.empty()) {
    target.port = std::stoi(port.substr(0, 6));
    if (target.port < 1 || target.port > 65535) return Error{"remote '" + url + "': bad port"};
  }
  if (!socket.empty() && socket != "/") target.socket = socket;
  return target;
}

std::string SshTarget::Display() const {
  return "ssh://" + (user.empty() ? "" : user + "@") + host +
         (port == 22 ? "" : ":" + std::to_string(port));
}

Expected<std::unique_ptr<SshTunnel>> SshTunnel::Open(const SshTarget& target,
                                                     const SshSettings& settings) {
  std::unique_ptr<SshTunnel> tunnel(new SshTunnel());
  if (auto made = tunnel->dir_.Make("hoist-ssh"); !made) return made.error();
  tunnel->socket_ = tunnel->dir_.path() + "/docker.sock";
  std::vector<std::string> argv = {
      "ssh", "-N", "-T",
      // Never prompt: a CI job has nobody to answer.
      "-o", "BatchMode=yes",
      // Fail, rather than run on without the forward.
      "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes",
      // A dead connection ends ssh within 3 × 5 s.
      "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o",
      "ConnectTimeout=" + std::to_string(settings.connect_timeout_seconds)};
  if (settings.fresh_host_key) {
    // ssh keeps the first value of an option: these come before the user's.
    argv.insert(argv.end(), {"-o", "UserKnownHostsFile=" + tunnel->dir_.path() + "/known_hosts",
                             "-o", "StrictHostKeyChecking=accept-new"});
  }
  if (!settings.identity_file.empty()) {
    argv.insert(argv.end(), {"-i", settings.identity_file, "-o", "IdentitiesOnly=yes"});
  }
  for (const auto& option : settings.options) argv.insert(argv.end(), {"-o", option});
  argv.insert(argv.end(),
              {"-p", std::to_string(target.port), "-L", tunnel->socket_ + ":" + target.socket,
               (target.user.empty() ? "" : target.user + "@") + target.host});
  tunnel->ssh_ = std::make_unique<BackgroundProcess>(argv, tunnel->dir_.path() + "/ssh.log");
  if (!tunnel->ssh_->started())
    return Error{tunnel->ssh_->error() + " (is openssh-client installed?)"};
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(settings.connect_timeout_seconds + 5);
  while (!SocketAnswers(tunnel->socket_)) {
    if (!tunnel->ssh_->running()) {
      return Error{"cannot reach the Docker engine of " + target.Display() + " over SSH: " +
                   (tunnel->LogTail().empty()
                        ? "ssh exited with status " + std::to_string(tunnel->ssh_->exit_status())
                        : tunnel->LogTail())};
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Error{"cannot reach the Docker engine of " + target.Display() + " over SSH: no " +
                   "connection after " + std::to_string(settings.connect_timeout_seconds + 5) +
                   " s" + (tunnel->LogTail().empty() ? "" : " (" + tunnel->LogTail() + ")")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return tunnel;
}

SshTunnel::~SshTunnel() {
  if (ssh_) ssh_->Stop();  // before the directory (and its socket) goes
}

bool SshTunnel::alive() {
  return ssh_ && ssh_->running();
}

std::string SshTunnel::LogTail() const {
  std::ifstream in(dir_.path() + "/ssh.log");
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
    tail += (tail.empty() ? "" : "; ") + lines[i];
  }
  return tail;
}

}  // namespace hoist
