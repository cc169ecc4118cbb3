#include "support/npm_registry_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/temp_repo.h"

namespace hoist::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

NpmRegistryFixture::NpmRegistryFixture() {
  const std::string verdaccio = std::string(HOIST_TEST_TOOLS) + "/node_modules/.bin/verdaccio";
  if (access(verdaccio.c_str(), X_OK) != 0) {
    problem_ = verdaccio + " is missing: run scripts/bootstrap.sh (it installs the test tools " +
               "of tests/tools/package.json)";
    return;
  }
  dir_ = MakeTempDir("hoist-npm-registry");
  const int port = FreePort();
  url_ = "http://127.0.0.1:" + std::to_string(port) + "/";
  std::ofstream(dir_ + "/config.yaml")
      << "storage: " << dir_ << "/storage\n"
      << "auth:\n  htpasswd:\n    file: " << dir_ << "/htpasswd\n    max_users: 10\n"
      << "packages:\n  '**':\n    access: $all\n"
      << "    publish: $authenticated\n"
      << "    unpublish: $authenticated\n"
      << "log: { type: stdout, format: pretty, level: warn }\n";
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{verdaccio, "--config", dir_ + "/config.yaml", "--listen",
                               "127.0.0.1:" + std::to_string(port)},
      dir_ + "/verdaccio.log");
  if (!WaitForPort(port, 60)) {
    problem_ = "verdaccio did not start: " + ReadText(dir_ + "/verdaccio.log");
    return;
  }
  // Registers the publishing user the way `npm adduser` does, and keeps its token.
  std::string reply =
      RunOk(dir_, {"curl", "-sS", "-X", "PUT", "-H", "content-type: application/json", "--data",
                   R"({"name":"hoist-ci","password":"s3cret-Pa55word"})",
                   url_ + "-/user/org.couchdb.user:hoist-ci"});
  auto json = nlohmann::json::parse(reply, nullptr, false);
  if (json.is_object() && json.contains("token") && json["token"].is_string()) {
    token_ = json["token"].get<std::string>();
  } else {
    problem_ = "verdaccio gave no token: " + reply;
  }
}

NpmRegistryFixture::~NpmRegistryFixture() {
  process_.reset();
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace hoist::testing
