// hoist build --report (a self-contained HTML page and its JSON) rendered by a real browser
// (Debian's headless Chromium), and GitHub's job summary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

// base is built first (cached in the run), lib and app rebuild when lib's source changes,
// broken fails and after-broken is skipped: every result the graph colours.
const char* kManifest = R"(
base:
  buildDir: base
lib:
  buildDir: lib
  dependencies: [base]
app:
  buildDir: app
  dependencies: [lib]
broken:
  buildDir: broken
after-broken:
  buildDir: after
  dependencies: [broken]
)";

class RunReport : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::EnsureDockerEngine();
    ASSERT_EQ(why, "") << "hoist build needs a Docker engine";
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    // (Steps of this test alone: no layer of them is cached in the engine the tests share.)
    const std::string own = std::filesystem::path(repo.root()).filename().string();
    repo.Write("build_manifest.yml", kManifest);
    repo.Write("base/Dockerfile", "FROM hoist-example/busybox:1\nRUN echo " + own + " > /own\n");
    repo.Write("lib/Dockerfile", "FROM base\nCOPY src/ /src/\n");
    repo.Write("lib/src/lib.c", "int lib;\n");
    repo.Write("app/Dockerfile", "FROM lib\nCOPY main.c /main.c\nRUN sleep 1\n");
    repo.Write("app/main.c", "int main;\n");
    repo.Write("broken/Dockerfile",
               "FROM hoist-example/busybox:1\nRUN echo " + own + " && false\n");
    repo.Write("after/Dockerfile", "FROM broken\n");
    repo.Commit("initial");
    auto first = Build({"base", "lib", "app"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    repo.Write("lib/src/lib.c", "int lib = 2;\n");
    repo.Commit("lib changes");
  }

  testing::HoistRun Build(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), {"--registry", registry.host() + "/t", "build"});
    return testing::RunHoist(repo.root(), args, env);
  }

  TempRepo repo;
  RegistryFixture registry;
};

// "A run report: --report FILE.html (and the JSON beside it) with the dependency graph coloured
// by result, a timeline per project (queue, pull, build, push), cache hits, the critical path
// and the why-rebuilt answer per project. Self-contained HTML, no network." Chromium renders it;
// the screenshot holds the graph's nodes in each result's colour, and below them the timeline's
// bars in the build phase's colour.
//
// Also in that run: "a GitHub job summary ($GITHUB_STEP_SUMMARY) when run there". GitHub's
// hosted runner cannot run here; the file GitHub names in that variable is what it renders, so
// the test reads it.
TEST_F(RunReport, TheHtmlReportRendersTheGraphAndTimelineInChromium) {
  const std::string dir = testing::MakeTempDir("hoist-report");
  const std::string report = dir + "/run.html";
  const std::string summary = dir + "/step_summary.md";
  std::ofstream(summary) << "an earlier step's summary\n";
  auto run = Build({"--all", "--report", report}, {"GITHUB_STEP_SUMMARY=" + summary});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // broken failed
  EXPECT_NE(run.err.find("hoist: report in " + report), std::string::npos) << run.err;

  const std::string text = testing::ReadText(summary);
  EXPECT_EQ(text.rfind("an earlier step's summary\n", 0), 0u) << text;  // appended
  EXPECT_NE(text.find("### hoist build: 2 built, 1 cached, 1 failed, 1 skipped in 0:"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Critical path: lib > app"), std::string::npos) << text;
  EXPECT_NE(text.find("| broken | failed |"), std::string::npos) << text;
  EXPECT_NE(text.find("| after-broken | skipped |"), std::string::npos) << text;
  EXPECT_EQ(text.find("| base |"), std::string::npos) << text;  // cached: no row

  // The JSON beside it: every job's result, phases on the run's clock, and why app rebuilt
  // (down to lib's file).
  auto json = nlohmann::json::parse(testing::ReadText(dir + "/run.json"));
  EXPECT_EQ(json["schemaVersion"], 1);
  EXPECT_EQ(json["command"], "build");
  std::map<std::string, nlohmann::json> jobs;
  for (const auto& job : json["jobs"]) jobs[job["name"]] = job;
  EXPECT_EQ(jobs["base"]["result"], "cached");
  EXPECT_EQ(jobs["lib"]["result"], "built");
  EXPECT_EQ(jobs["app"]["result"], "built");
  EXPECT_EQ(jobs["broken"]["result"], "failed");
  EXPECT_EQ(jobs["after-broken"]["result"], "skipped");
  std::set<std::string> phases;
  for (const auto& phase : jobs["app"]["phases"]) phases.insert(phase["name"]);
  EXPECT_TRUE(phases.count("build") && phases.count("push")) << jobs["app"].dump();
  EXPECT_NE(jobs["app"]["why"].dump().find("lib/src/lib.c"), std::string::npos)
      << jobs["app"].dump();
  EXPECT_EQ(json["criticalPath"]["jobs"], (nlohmann::json{"lib", "app"})) << json.dump();

  // Self-contained: nothing is fetched from anywhere.
  const std::string html = testing::ReadText(report);
  for (const char* outside : {"http://", "https://", "<script", "<link"}) {
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
  }

  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
      << "the report is checked in Debian's chromium (scripts/bootstrap.sh installs it)";
  const std::string png = dir + "/run.png";
  ProcessSpec chromium;
  chromium.argv = {"timeout",
                   "120",
                   "chromium",
                   "--headless",
                   "--no-sandbox",
                   "--disable-gpu",
                   "--hide-scrollbars",
                   "--no-first-run",
                   "--user-data-dir=" + dir + "/profile",
                   "--window-size=1100,1400",
                   "--screenshot=" + png,
                   "file://" + report};
  chromium.env = {"HOME=" + dir};
  auto shot = RunProcess(chromium);
  ASSERT_TRUE(shot.ok() && std::filesystem::exists(png))
      << (shot.ok() ? shot->stderr_text : shot.error().message);
  const std::string built = "#1a7f37", cached = "#6e7781", failed = "#cf222e", skipped = "#bf8700",
                    build_phase = "#fb8f44";
  auto counted = nlohmann::json::parse(
      RunOk(dir, {"python3", std::string(HOIST_SOURCE_DIR) + "/tests/fixtures/png_colours.py", png,
                  built, cached, failed, skipped, build_phase}));
  // A node is 190x36 pixels; a legend's swatch 10x10.
  for (const auto& colour : {built, cached, failed, skipped, build_phase}) {
    EXPECT_GT(counted[colour]["count"], 2000) << colour << ": " << counted.dump();
  }
  EXPECT_LT(counted[failed]["top"], counted[build_phase]["top"]) << counted.dump();
  EXPECT_LT(counted[skipped]["top"], counted[build_phase]["top"]) << counted.dump();

  // A report that cannot be written is a warning: the build's result stands. A .json name, or
  // a dry run (which runs nothing), is a usage error.
  auto unwritable = Build({"app", "--report", "/proc/no-such-dir/run.html"});
  EXPECT_EQ(unwritable.exit_code, 0) << unwritable.err;
  EXPECT_NE(unwritable.err.find("hoist: warning: cannot write the run report "
                                "'/proc/no-such-dir/run.html'"),
            std::string::npos)
      << unwritable.err;
  auto json_name = Build({"app", "--report", dir + "/run.json"});
  EXPECT_EQ(json_name.exit_code, 2) << json_name.err;
  EXPECT_NE(json_name.err.find("name the HTML page"), std::string::npos) << json_name.err;
  auto dry = Build({"app", "--dry-run", "--report", report});
  EXPECT_EQ(dry.exit_code, 2) << dry.err;
  // Nothing to run: a page that says so.
  auto nothing = Build({"--affected", "HEAD", "--report", dir + "/nothing.html"});
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  const std::string empty = testing::ReadText(dir + "/nothing.html");
  EXPECT_NE(empty.find("No jobs."), std::string::npos) << empty;
  EXPECT_EQ(empty.find("width=\"-"), std::string::npos) << empty;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hoist
