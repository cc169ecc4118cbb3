// Compose test jobs (tests: {JOB: {compose: FILE}}): a docker compose file runs the project's
// image and its runDependencies' on a real engine (Debian's docker-compose), and its pass
// covers every image it ran.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

// db writes its version into a shared volume; app's job passes when it is $WANT. Everything
// carries the label hoist.test=@OWNER@ so that a test sees only what it started (ctest runs
// tests side by side on one engine).
constexpr const char* kCompose = R"(version: "3"
services:
  db:
    image: ${HOIST_IMAGE_DB}
    labels: {hoist.test: "@OWNER@"}
    network_mode: none
    volumes: [shared:/shared]
    command: sh -c "cp /version /shared/version; trap 'exit 0' TERM; sleep 60 & wait"
  app:
    image: ${HOIST_IMAGE_APP}
    labels: {hoist.test: "@OWNER@"}
    network_mode: none
    volumes: [shared:/shared]
    depends_on: [db]
    environment:
      WANT: ${WANT}
    command: sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -f /shared/version ] && break; sleep 0.5; done; cat /app/id /shared/version; grep -qx "$$WANT" /shared/version'
volumes:
  shared:
    labels: {hoist.test: "@OWNER@"}
)";

std::string Compose(const std::string& owner) {
  std::string text = kCompose;
  for (auto at = text.find("@OWNER@"); at != std::string::npos; at = text.find("@OWNER@"))
    text.replace(at, 7, owner);
  return text;
}

std::string Manifest(const std::string& want) {
  return "db:\n  buildDir: db\napp:\n  buildDir: app\n  runDependencies: [db]\n  tests:\n"
         "    e2e:\n      compose: docker-compose.yml\n      environment: {WANT: " +
         want + "}\n";
}

class ComposeJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    repo.Write("build_manifest.yml", Manifest("v1"));
    repo.Write("db/Dockerfile", "FROM hoist-example/busybox:1\nCOPY version /version\n");
    repo.Write("db/version", "v1\n");
    repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY id /app/id\n");
    repo.Write("app/id", "app\n");
    repo.Write("app/docker-compose.yml", Compose(repo.root()));
    repo.Commit();
    ASSERT_EQ(Hoist({"build", "--all"}).exit_code, 0) << last.err;
  }
  testing::HoistRun Hoist(std::vector<std::string> args) {
    args.insert(args.begin(), {"--registry", registry.host() + "/c"});
    last = testing::RunHoist(repo.root(), args);
    return last;
  }
  /// The result of app's e2e job ("passed", "cached", "failed"), "" when none was reported.
  std::string E2e(std::vector<std::string> args = {"test", "app"}) {
    args.insert(args.begin(), "--json");
    auto run = Hoist(args);
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    if (!json.is_object() || !json.contains("jobs") || json["jobs"].empty()) return "";
    return json["jobs"][0]["result"].get<std::string>();
  }
  /// What compose left on the engine of this test's: containers and volumes of hoist's compose
  /// projects labelled with this test's repository.
  std::string Leftovers() {
    const std::string mine = "label=hoist.test=" + repo.root();
    auto containers =
        RunOk("/", {"docker", "ps", "-a", "--filter", mine, "--format", "{{.Names}}"});
    auto volumes =
        RunOk("/", {"docker", "volume", "ls", "--filter", mine, "--format", "{{.Name}}"});
    std::string out;
    for (const auto& text : {containers, volumes}) {
      for (const auto& line : testing::Lines(text)) {
        if (line.rfind("hoist-", 0) == 0) out += line + "\n";
      }
    }
    return out;
  }
  TempRepo repo;
  RegistryFixture registry;
  testing::HoistRun last;
};

TEST_F(ComposeJobs, RunsEveryImageAndItsPassCoversThemAll) {
  EXPECT_EQ(E2e(), "passed") << last.out << last.err;
  // The job's output holds what both images said: exactly these two ran.
  EXPECT_EQ(E2e(), "cached") << last.out << last.err;
  EXPECT_EQ(Leftovers(), "");

  // db changes; app's own hash does not (db is a runDependency, not an input of app's hash).
  const std::string app_hash = testing::HashOf(repo.root(), "app");
  repo.Write("db/version", "v2\n");
  repo.Commit();
  ASSERT_EQ(testing::HashOf(repo.root(), "app"), app_hash);
  ASSERT_EQ(Hoist({"build", "--all"}).exit_code, 0) << last.err;
  // The pass was for the old db: the job runs again, on the new db, and fails (WANT is v1).
  EXPECT_EQ(E2e(), "failed") << last.out << last.err;
  EXPECT_NE(last.err.find("v2"), std::string::npos) << last.err;
  EXPECT_EQ(E2e(), "failed") << "a failure records no pass";
  EXPECT_EQ(Leftovers(), "");

  // The job's definition (its environment) is part of what a pass is for.
  repo.Write("build_manifest.yml", Manifest("v2"));
  repo.Commit();
  EXPECT_EQ(E2e(), "passed") << last.out << last.err;
  EXPECT_EQ(E2e(), "cached") << last.out << last.err;

  // So is the compose file, even where no rebuild pattern covers it.
  repo.Write("build_manifest.yml",
             "db:\n  buildDir: db\napp:\n  buildDir: app\n  rebuildPatterns: ['^app/id$', "
             "'^app/Dockerfile$']\n  runDependencies: [db]\n  tests:\n    e2e:\n      compose: "
             "docker-compose.yml\n      environment: {WANT: v2}\n");
  repo.Commit();
  ASSERT_EQ(Hoist({"build", "--all"}).exit_code, 0) << last.err;
  EXPECT_EQ(E2e(), "passed") << last.out << last.err;
  const std::string pinned = testing::HashOf(repo.root(), "app");
  repo.Write("app/docker-compose.yml", Compose(repo.root()) + "# edited\n");
  repo.Commit();
  ASSERT_EQ(testing::HashOf(repo.root(), "app"), pinned);
  EXPECT_EQ(E2e(), "passed") << last.out << last.err;
}

TEST_F(ComposeJobs, GivenOnTheCommandLineWithItsEnvironment) {
  EXPECT_EQ(
      E2e({"test", "app", "--job", "adhoc", "--compose", "docker-compose.yml", "--", "WANT=v1"}),
      "passed")
      << last.out << last.err;
  EXPECT_EQ(
      E2e({"test", "app", "--job", "adhoc", "--compose", "docker-compose.yml", "--", "WANT=v9"}),
      "failed")
      << last.out << last.err;
  // --service names the service whose exit counts: db never exits by itself, app's does.
  EXPECT_EQ(E2e({"test", "app", "--job", "svc", "--compose", "docker-compose.yml", "--service",
                 "app", "--", "WANT=v1"}),
            "passed")
      << last.out << last.err;
}

TEST_F(ComposeJobs, BadInputsSayWhatAndWhere) {
  // The leftover check sees what a compose project of this file leaves behind.
  const std::string dir = repo.root() + "/app";
  auto compose = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"env",
                                     "HOIST_IMAGE_DB=hoist-example/busybox:1",
                                     "HOIST_IMAGE_APP=hoist-example/busybox:1",
                                     "WANT=v1",
                                     "docker-compose",
                                     "-p",
                                     "hoist-probe-" + std::to_string(getpid())};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOk(dir, argv);
  };
  compose({"up", "--no-start"});
  EXPECT_NE(Leftovers(), "");
  compose({"down", "--volumes"});
  ASSERT_EQ(Leftovers(), "");

  auto usage =
      Hoist({"test", "app", "--job", "x", "--compose", "docker-compose.yml", "--", "WANT"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("KEY=VALUE"), std::string::npos) << usage.err;
  usage = Hoist({"test", "app", "--job", "x", "--service", "app"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--service goes with --compose"), std::string::npos) << usage.err;
  usage = Hoist({"test", "app", "--job", "x", "--host", "--compose", "docker-compose.yml"});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;

  // A missing compose file, named with its path.
  auto missing = Hoist({"test", "app", "--job", "x", "--compose", "nope.yml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("app/nope.yml"), std::string::npos) << missing.out;

  // A service the file lacks: compose's own error, and no pass.
  auto service = Hoist({"test", "app", "--job", "x", "--compose", "docker-compose.yml", "--service",
                        "nosuch", "--", "WANT=v1"});
  EXPECT_EQ(service.exit_code, 1) << service.out << service.err;
  EXPECT_EQ(Leftovers(), "");

  // A runDependency without an image: what to build.
  repo.Write("db/version", "v3\n");
  repo.Commit();
  auto unbuilt = Hoist({"test", "app"});
  EXPECT_EQ(unbuilt.exit_code, 1);
  EXPECT_NE(unbuilt.out.find("runs 'db', which has no image"), std::string::npos) << unbuilt.out;
  EXPECT_NE(unbuilt.out.find("hoist build db"), std::string::npos) << unbuilt.out;

  // Manifest mistakes, with their line.
  for (const auto& [job, expected] : std::vector<std::pair<std::string, std::string>>{
           {"{compose: c.yml, command: x}", "a compose job has no 'command'"},
           {"{compose: c.yml, host: true}", "a compose job has no 'host'"},
           {"{compose: c.yml, sevrice: app}", "unknown field 'sevrice'"},
           {"{compose: [c.yml]}", "'compose' must name a docker compose file"},
           {"{compose: c.yml, environment: [A=1]}", "'environment' must be a mapping"},
           {"{compose: c.yml, environment: {1A: x}}", "environment '1A' must be a variable name"},
       }) {
    repo.Write("build_manifest.yml", "app:\n  buildDir: app\n  tests:\n    e2e: " + job + "\n");
    auto loaded = Hoist({"test", "app"});
    EXPECT_EQ(loaded.exit_code, 1) << job << loaded.err;
    EXPECT_NE(loaded.err.find(expected), std::string::npos) << job << "\n" << loaded.err;
    EXPECT_NE(loaded.err.find("build_manifest.yml:4:"), std::string::npos) << loaded.err;
  }
}

}  // namespace
}  // namespace hoist
