// hoist test: jobs run only when their inputs (content hash, job definition) changed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

class TestJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    repo.Write("build_manifest.yml",
               "app:\n  buildDir: app\n  tests:\n    unit: \"test -f /app/ok\"\n"
               "    lint:\n      command: [\"test\", \"-f\", \"ok\"]\n      host: true\n");
    repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nCOPY ok /app/ok\n");
    repo.Write("app/ok", "1\n");
    repo.Commit();
    ASSERT_EQ(Hoist({"build", "app"}).exit_code, 0) << last.err;
  }
  testing::HoistRun Hoist(std::vector<std::string> args) {
    args.insert(args.begin(), {"--registry", registry.host() + "/t"});
    last = testing::RunHoist(repo.root(), args);
    return last;
  }
  std::map<std::string, std::string> Results(std::vector<std::string> args, int expected = 0) {
    args.insert(args.begin(), "--json");
    auto run = Hoist(args);
    EXPECT_EQ(run.exit_code, expected) << run.err;
    std::map<std::string, std::string> out;
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    if (!json.is_object() || !json.contains("jobs")) return out;
    // The vocabulary's version and the command come first.
    EXPECT_EQ(run.out.rfind("{\n  \"schemaVersion\": 1,\n  \"command\": \"test\",", 0), 0u)
        << run.out;
    for (const auto& job : json["jobs"])
      out[job["job"].get<std::string>()] = job["result"].get<std::string>();
    return out;
  }
  TempRepo repo;
  RegistryFixture registry;
  testing::HoistRun last;
};

using JobResults = std::map<std::string, std::string>;

TEST_F(TestJobs, DeclaredJobsRunOnceThenSkipUntilInputsChange) {
  EXPECT_EQ(Results({"test", "--all"}), (JobResults{{"unit", "passed"}, {"lint", "passed"}}));
  EXPECT_EQ(Results({"test", "--all"}), (JobResults{{"unit", "cached"}, {"lint", "cached"}}));
  EXPECT_NE(Hoist({"test", "app", "--job", "unit"}).out.find("passed at "), std::string::npos);
  // A change to the job's command runs it again.
  repo.Write("build_manifest.yml",
             "app:\n  buildDir: app\n  tests:\n    unit: \"test -s /app/ok\"\n");
  repo.Commit();
  EXPECT_EQ(Results({"test", "app"}), (JobResults{{"unit", "passed"}}));
}

TEST_F(TestJobs, AFailedJobRecordsNoPass) {
  EXPECT_EQ(Results({"test", "app", "--job", "smoke", "--", "test", "-f", "/nope"}, 1),
            (JobResults{{"smoke", "failed"}}));
  auto status = Hoist({"status", "app"});
  EXPECT_EQ(status.out.find("smoke"), std::string::npos) << status.out;
  EXPECT_EQ(Results({"test", "app", "--job", "smoke", "--", "test", "-f", "/app/ok"}),
            (JobResults{{"smoke", "passed"}}));
  EXPECT_NE(Hoist({"status", "app"}).out.find("smoke"), std::string::npos);
}

// A named stage, an architecture and a test job of the same name have tags of their own.
TEST_F(TestJobs, AStageAndATestJobMayShareAName) {
  repo.Write("build_manifest.yml",
             "app:\n  buildDir: app\n  multiarch: host\n  tests:\n    smoke: \"test -f /app/ok\"\n"
             "    amd64: \"true\"\n    x86_64: \"true\"\n");
  repo.Write("app/Dockerfile",
             "FROM hoist-example/busybox:1 AS smoke\nCOPY ok /app/ok\nFROM smoke AS amd64\n"
             "FROM amd64 AS x86_64\nFROM x86_64\n");
  repo.Commit();
  ASSERT_EQ(Hoist({"build", "app"}).exit_code, 0) << last.err;
  auto markers = [&] {
    auto status = nlohmann::json::parse(Hoist({"--json", "status", "app"}).out, nullptr, false);
    EXPECT_TRUE(status.is_object()) << last.out << last.err;
    return status.is_object() ? status["projects"][0]["markers"] : nlohmann::json();
  };
  // Built, not tested: no stage or architecture image reads as a passed job.
  EXPECT_EQ(markers(), nlohmann::json::array()) << last.out;
  EXPECT_EQ(Results({"test", "app"}),
            (JobResults{{"smoke", "passed"}, {"amd64", "passed"}, {"x86_64", "passed"}}));
  EXPECT_EQ(Results({"test", "app"}),
            (JobResults{{"smoke", "cached"}, {"amd64", "cached"}, {"x86_64", "cached"}}));
  EXPECT_EQ(markers(), (nlohmann::json{"passed:amd64", "passed:smoke", "passed:x86_64"}));
}

TEST_F(TestJobs, BadRequests) {
  EXPECT_EQ(Hoist({"test"}).exit_code, 2);
  auto unknown = Hoist({"test", "app", "--job", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("declares no test job 'nosuch'"), std::string::npos) << unknown.err;
  repo.Write("app/ok", "2\n");  // a new hash without an image
  repo.Commit();
  auto unbuilt = Results({"test", "app", "--job", "unit"}, 1);
  EXPECT_EQ(unbuilt["unit"], "failed");
  EXPECT_NE(last.out.find("build it first"), std::string::npos) << last.out;
}

}  // namespace
}  // namespace hoist
