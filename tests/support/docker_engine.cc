#include "support/docker_engine.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "util/subprocess.h"

namespace hoist::testing {
namespace {

constexpr const char* kLockFile = "/tmp/hoist-test-dockerd.lock";
constexpr const char* kPidFile = "/tmp/hoist-test-dockerd.pid";
constexpr const char* kLogFile = "/tmp/hoist-test-dockerd.log";
constexpr int kStartSeconds = 60;

bool EngineAnswers() {
  ProcessSpec spec;
  spec.argv = {"docker", "info", "--format", "{{.ServerVersion}}"};
  auto result = RunProcess(spec);
  return result.ok() && result->exit_code == 0;
}

}  // namespace

std::string EnsureDockerEngine() {
  if (EngineAnswers()) return "";
  int lock = open(kLockFile, O_CREAT | O_RDWR, 0644);
  flock(lock, LOCK_EX);  // one test process starts it; the others wait for it
  if (!EngineAnswers()) {
    ProcessSpec spec;
    spec.argv = {"bash", "-c",
                 std::string("command -v dockerd >/dev/null || exit 127; "
                             "nohup dockerd --bridge=none --iptables=false --ip-masq=false "
                             "--pidfile ") +
                     kPidFile + " >" + kLogFile + " 2>&1 </dev/null & disown"};
    auto started = RunProcess(spec);
    if (started.ok() && started->exit_code == 127) {
      flock(lock, LOCK_UN);
      close(lock);
      return "dockerd is not installed (apt-get install docker.io)";
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kStartSeconds);
    while (!EngineAnswers() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  flock(lock, LOCK_UN);
  close(lock);
  return EngineAnswers() ? "" : std::string("dockerd did not start; see ") + kLogFile;
}

void ImportTestImage(const std::string& reference, const std::string& content) {
  ProcessSpec spec;
  spec.argv = {"docker", "import", "--change", "LABEL test.content=" + content, "-", reference};
  spec.stdin_data = std::string(1024, '\0');
  auto result = RunProcess(spec);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->exit_code, 0) << result->stderr_text;
}

}  // namespace hoist::testing

namespace hoist::testing {

std::string PushExampleBase(const std::string& host) {
  const std::string reference = host + "/hoist-example/busybox:1";
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"docker", "tag", "hoist-example/busybox:1", reference},
        std::vector<std::string>{"docker", "push", "--quiet", reference}}) {
    ProcessSpec spec;
    spec.argv = argv;
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok() && result->exit_code == 0)
        << FormatCommand(argv) << ": " << (result.ok() ? result->stderr_text : "");
  }
  return reference;
}

}  // namespace hoist::testing
