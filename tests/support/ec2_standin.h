// The EC2-API stand-in (tests/fixtures/ec2_standin.py) on a free loopback port: AWS cannot be
// reached here. Its machines are this one, reached through a real sshd (SshdFixture).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_repo.h"
#include "util/background_process.h"

namespace hoist::testing {

/// The EC2-API stand-in on a free loopback port (a stand-in: AWS cannot be reached here).
class Ec2StandIn {
 public:
  Ec2StandIn() {
    dir_ = testing::MakeTempDir("hoist-ec2");
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"python3",
                                 std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/ec2_standin.py",
                                 dir_ + "/ec2.port", dir_},
        dir_ + "/ec2.log");
    for (int i = 0; i < 300 && testing::ReadText(dir_ + "/ec2.port").empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    port_ = std::atoi(testing::ReadText(dir_ + "/ec2.port").c_str());
    EXPECT_GT(port_, 0) << testing::ReadText(dir_ + "/ec2.log");
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Control(const std::string& body, const std::string& path = "/_control") {
    RunOk("/", {"curl", "-sS", "-f", "-X", "POST", "--data", body, url() + path});
  }
  nlohmann::json State() {
    return nlohmann::json::parse(RunOk("/", {"curl", "-sS", "-f", url() + "/_state"}));
  }
  /// The actions called, in order.
  std::vector<std::string> Actions() {
    std::vector<std::string> actions;
    const nlohmann::json state = State();
    for (const auto& request : state["requests"]) actions.push_back(request["action"]);
    return actions;
  }
  nlohmann::json Requests(const std::string& action) {
    nlohmann::json found = nlohmann::json::array();
    const nlohmann::json state = State();
    for (const auto& request : state["requests"]) {
      if (request["action"] == action) found.push_back(request["params"]);
    }
    return found;
  }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;

 public:
  ~Ec2StandIn() {
    process_.reset();
    std::filesystem::remove_all(dir_);
  }
};

}  // namespace hoist::testing
