#include "support/sshd_fixture.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_repo.h"

namespace hoist::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

SshdFixture::SshdFixture() {
  if (access("/usr/sbin/sshd", X_OK) != 0) {
    problem_ = "/usr/sbin/sshd is missing: run scripts/bootstrap.sh (openssh-server)";
    return;
  }
  dir_ = MakeTempDir("hoist-sshd");
  const passwd* me = getpwuid(getuid());
  user_ = me ? me->pw_name : "root";
  port_ = FreePort();
  RunOk(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir_ + "/host_key"});
  RunOk(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir_ + "/client_key"});
  std::ofstream(dir_ + "/authorized_keys") << ReadText(dir_ + "/client_key.pub");
  const std::string host_key = ReadText(dir_ + "/host_key.pub");
  const std::string port = std::to_string(port_);
  std::ofstream(dir_ + "/known_hosts")
      << "[127.0.0.1]:" << port << " " << host_key << "[localhost]:" << port << " " << host_key;
  std::ofstream(dir_ + "/sshd_config")
      << "Port " << port << "\nListenAddress 127.0.0.1\nHostKey " << dir_ << "/host_key\n"
      << "PidFile " << dir_ << "/sshd.pid\nAuthorizedKeysFile " << dir_ << "/authorized_keys\n"
      << "StrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
      << "KbdInteractiveAuthentication no\nUsePAM no\nAllowStreamLocalForwarding yes\n"
      << "LogLevel VERBOSE\n";
  std::error_code ec;
  fs::create_directories("/run/sshd", ec);  // sshd's privilege separation directory
  sshd_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/sbin/sshd", "-D", "-e", "-f", dir_ + "/sshd_config"},
      dir_ + "/sshd.log");
  if (!sshd_->started() || !WaitForPort(port_, 15)) {
    problem_ = "sshd did not start: " + ReadText(dir_ + "/sshd.log");
  }
}

SshdFixture::~SshdFixture() {
  if (sshd_) {
    DropConnections();
    sshd_->Stop();
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string SshdFixture::url() const {
  return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_);
}

std::string SshdFixture::HoistYmlSsh() const {
  return "ssh:\n  identityFile: " + dir_ +
         "/client_key\n  options:\n    - UserKnownHostsFile=" + dir_ +
         "/known_hosts\n    - StrictHostKeyChecking=yes\n";
}

void SshdFixture::DropConnections() {
  if (!sshd_ || sshd_->pid() <= 0) return;
  // Each connection is a monitor process and its unprivileged child: end both, or the child
  // keeps the TCP connection.
  const std::string pid = std::to_string(sshd_->pid());
  RunOk("/", {"sh", "-c",
              "for c in $(pgrep -P " + pid + "); do pkill -KILL -P $c; kill -KILL $c; done; true"});
}

int SshdFixture::Connections() const {
  const std::string log = ReadText(dir_ + "/sshd.log");
  int count = 0;
  for (size_t at = log.find("Accepted publickey"); at != std::string::npos;
       at = log.find("Accepted publickey", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace hoist::testing
