// hoist build against a real Docker engine and a real registry.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "oci/distribution_client.h"
#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"
#include "support/terminal.h"

namespace hoist {
namespace {

using testing::RegistryFixture;
using testing::RunOk;
using testing::TempRepo;

const char* kManifest = R"(
lib:
  buildDir: lib
app:
  buildDir: app
  dependencies: [lib]
other:
  buildDir: other
)";

class Build : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::EnsureDockerEngine();
    ASSERT_EQ(why, "") << "hoist build needs a Docker engine";
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    repo.Write("build_manifest.yml", kManifest);
    // lib has a named stage whose output carries a random stamp: reuse shows as the same stamp.
    repo.Write("lib/Dockerfile",
               "FROM hoist-example/busybox:1 AS build\nCOPY src/ /src/\n"
               "RUN cat /proc/sys/kernel/random/uuid > /stamp\n"
               "FROM hoist-example/busybox:1\nCOPY --from=build /stamp /stamp\n"
               "COPY final.txt /final.txt\n");
    repo.Write("lib/src/lib.c", "int lib;\n");
    repo.Write("lib/final.txt", "v1\n");
    repo.Write("app/Dockerfile", "FROM lib\nCOPY main.c /main.c\n");
    repo.Write("app/main.c", "int main;\n");
    repo.Write("other/Dockerfile", "FROM hoist-example/busybox:1\nCOPY x /x\n");
    repo.Write("other/x", "x\n");
    repo.Commit("initial");
  }

  /// Runs `hoist --json --registry R build ARGS`; returns project -> result.
  std::map<std::string, std::string> BuildResults(std::vector<std::string> args,
                                                  int expected_exit = 0) {
    std::vector<std::string> full = {"--json", "--registry", registry.host() + "/t", "build"};
    full.insert(full.end(), args.begin(), args.end());
    last = testing::RunHoist(repo.root(), full);
    EXPECT_EQ(last.exit_code, expected_exit) << last.err;
    return testing::BuildResults(last.out);
  }
  std::string Hash(const std::string& project) { return testing::HashOf(repo.root(), project); }
  int ImageExists(const std::string& project, const std::string& tag) {
    return testing::RunHoist(
               repo.root(), {"--registry", registry.host() + "/t", "image", "exists", project, tag})
        .exit_code;
  }
  std::string Stamp(const std::string& project) {
    std::string image = registry.host() + "/t/" + project + ":cache-" + Hash(project);
    RunOk("/", {"docker", "pull", "-q", image});
    return RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/stamp"});
  }

  TempRepo repo;
  RegistryFixture registry;
  testing::HoistRun last;
};

using Results = std::map<std::string, std::string>;

TEST_F(Build, FirstBuildsAllThenNothing) {
  EXPECT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "built"}}));
  EXPECT_EQ(ImageExists("lib", "cache-" + Hash("lib")), 0);
  EXPECT_EQ(ImageExists("lib", "cache-" + Hash("lib") + "-stage-build"), 0);  // the named stage
  EXPECT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "cached"}, {"app", "cached"}, {"other", "cached"}}));
  // A project named alone brings its dependencies (cached here).
  EXPECT_EQ(BuildResults({"app"}), (Results{{"lib", "cached"}, {"app", "cached"}}));
}

// "Each build probes BuildKit, fails, and falls back to the classic builder … in every build of
// every run": what the first run finds about the docker CLI, later runs use without trying.
TEST_F(Build, WhatTheBuilderCanDoIsFoundOnceAndRemembered) {
  const std::string cache = testing::MakeTempDir("hoist-xdg-cache");
  auto build = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"--registry", registry.host() + "/t", "build"};
    full.insert(full.end(), args.begin(), args.end());
    return testing::RunHoist(repo.root(), full, {"XDG_CACHE_HOME=" + cache});
  };
  auto first = build({"other"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string found = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  // This machine's docker CLI has no buildx, or has it: either way the answer is kept.
  const bool classic = found.find("BuildKit is unavailable") != std::string::npos;
  size_t remembered = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cache + "/hoist")) {
    remembered += entry.path().filename().string().rfind("builder-", 0) == 0;
  }
  EXPECT_EQ(remembered, 1u);
  auto again = build({"--force", "--all"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const char* project : {"lib", "app", "other"}) {
    const std::string log = testing::ReadText(repo.root() + "/.hoist/logs/" + project + ".log");
    EXPECT_EQ(log.find(classic ? "DOCKER_BUILDKIT=1" : "DOCKER_BUILDKIT=0"), std::string::npos)
        << log;
    EXPECT_NE(log.find(classic ? "DOCKER_BUILDKIT=0" : "DOCKER_BUILDKIT=1"), std::string::npos)
        << log;
  }
  std::filesystem::remove_all(cache);
}

// The classic builder's cache lookup lists a parent image's children and then reads each; one
// removed in between by another client of the engine (a prune, another job's clean-up) failed
// the build with 'unable to find image "sha256:…"' (the fresh-clone CI run failed
// TrustWithRegistry.APullRequestsRebuildCannotChangeWhatMainReadsOrDeploys so). Such a build is
// run again. The race itself is too narrow to hit on purpose: a stand-in docker CLI fails the
// first build as the engine does then and hands every other call to the real CLI.
TEST_F(Build, AnImageRemovedDuringTheCacheLookupBuildsAgain) {
  const std::string dir = testing::MakeTempDir("hoist-docker-standin");
  const std::string docker = dir + "/docker";
  std::ofstream(docker) << R"(#!/bin/sh
# Stand-in for the engine losing a cached image mid-lookup: the first classic build fails so.
for arg in "$@"; do [ "$arg" = build ] && building=1; done
if [ -n "$building" ] && [ "$DOCKER_BUILDKIT" = 1 ]; then
  echo 'ERROR: BuildKit is enabled but the buildx component is missing or broken.' >&2; exit 1
fi
if [ -n "$building" ] && [ ! -e "$0.raced" ]; then
  touch "$0.raced"; cat >/dev/null
  echo 'Step 2/2 : COPY x /x'
  echo 'unable to find image "sha256:df472fdb58416cdcebb983673f17d1ac4226aa5357fe826a9b0179548036c7f6"' >&2
  exit 1
fi
exec docker "$@"
)";
  std::filesystem::permissions(docker, std::filesystem::perms::owner_all);
  const std::vector<std::string> env = {"HOIST_DOCKER=" + docker, "XDG_CACHE_HOME=" + dir};
  auto built = testing::RunHoist(repo.root(), {"build", "--force", "other"}, env);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string log = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  EXPECT_NE(log.find("building again"), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::exists(docker + ".raced"));

  // A step whose own output says so, and then fails, is a failure like any other: built once.
  repo.Write("other/Dockerfile",
             "FROM hoist-example/busybox:1\nCOPY x /x\n"
             "RUN echo 'unable to find image \"sha256:00\"' " +
                 dir + " && false\n");
  repo.Commit("fails");
  auto failed = testing::RunHoist(repo.root(), {"build", "other"}, env);
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  const std::string failed_log = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  EXPECT_EQ(failed_log.find("building again"), std::string::npos) << failed_log;
  std::filesystem::remove_all(dir);
}

// "The status line is not fitted to the terminal: it … wraps at 80 or 120 columns with four
// long project names, and each redraw leaves a stale copy": in a real 80-column terminal
// (tmux), four builds with long names show one status row at a time and leave none behind.
TEST_F(Build, TheStatusLineFitsTheTerminalAndLeavesNothingBehind) {
  const std::string long_name = "a-project-whose-name-alone-is-wider-than-half-of-the-terminal-";
  std::string manifest;
  for (int i = 1; i <= 4; ++i) {
    const std::string name = long_name + std::to_string(i);
    manifest += name + ":\n  buildDir: " + name + "\n";
    // (A step of this test alone: no layer of it is cached in the engine the tests share.) The
    // first has 64 MiB to push, long enough for the status line to say so.
    repo.Write(name + "/Dockerfile",
               "FROM hoist-example/busybox:1\nRUN sleep 2 && echo " + std::to_string(i) + " " +
                   std::filesystem::path(repo.root()).filename().string() + " > /n" +
                   (i == 1 ? " && head -c 67108864 /dev/urandom > /big" : "") + "\n");
  }
  repo.Write("build_manifest.yml", manifest);
  repo.Commit("four long names");
  // -v: hoist's request log too, which must print above the status line, not into it.
  auto screen =
      testing::RunInTerminal(repo.root(),
                             "env HOIST_NETWORK=none " + std::string(HOIST_BINARY) +
                                 " -v --registry " + registry.host() + "/t build --all -j 2",
                             80, "[");
  EXPECT_NE(screen.rows.find("4 built"), std::string::npos) << screen.rows;
  // One status row while it ran (a wrapped one leaves a stale copy above at each redraw), and
  // none at the end. (The summary's rows are as wide as its image references.)
  EXPECT_EQ(screen.most_watched_rows, 1) << screen.rows;
  for (const auto& row : testing::Lines(screen.rows)) {
    EXPECT_NE(row.rfind("[", 0), 0u) << screen.rows;
  }
  EXPECT_NE(screen.rows.find("hoist: PUT "), std::string::npos) << screen.rows;  // -v was on
  // "long pushes and pulls show progress": the status line says which one runs.
  EXPECT_NE(screen.watched_seen.find(" pushing "), std::string::npos) << screen.watched_seen;
}

// "it leads with … the legacy builder's DEPRECATED banner; docker's ESC[91m codes pass into logs
// and pipes": a failing build's log and hoist's output hold the failure as text only.
TEST_F(Build, AFailuresLogIsTextWithoutBuilderNoise) {
  // Escapes of every kind (colour, a character set, a hyperlink), a line of the build's own that
  // starts as the builder's banner does, and the failure.
  repo.Write("other/noise.sh",
             "printf '\\033[91mred-\\033(Bplain-\\033]8;;https://x.example\\033\\\\link"
             "\\033]8;;\\033\\\\-end\\033[0m\\n'\n"
             "echo 'DEPRECATED: The legacy builder is deprecated in our own words'\n"
             "printf 'the-reason-%s\\n' it-failed\n");
  repo.Write("other/Dockerfile",
             "FROM hoist-example/busybox:1\nCOPY noise.sh /noise.sh\n"
             "RUN sh /noise.sh >&2 && false\n");
  repo.Commit("a failing build");
  auto run =
      testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "build", "other"});
  EXPECT_EQ(run.exit_code, 1);
  const std::string log = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  for (const std::string& text : {log, run.err}) {
    EXPECT_NE(text.find("the-reason-it-failed"), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(text.find("will be removed in a future release"), std::string::npos) << text;
    EXPECT_NE(text.find("red-plain-link-end"), std::string::npos) << text;
    EXPECT_NE(text.find("deprecated in our own words"), std::string::npos) << text;
  }
  // Said once ("a failure screen … says it twice": the log, then its tail again).
  const size_t first = run.err.find("the-reason-it-failed");
  EXPECT_EQ(run.err.find("the-reason-it-failed", first + 1), std::string::npos) << run.err;
}

// "the summary prints one row per project (198 cached rows for 200 projects), repeats the
// 64-hex tag beside the hash column, has no durations or total time, lumps 'failed or
// skipped', and doesn't name the failed project's log".
TEST_F(Build, TheSummarySaysWhatChangedWithTimesAndNamesTheFailedLog) {
  auto build = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"--registry", registry.host() + "/t", "build"};
    full.insert(full.end(), args.begin(), args.end());
    return testing::RunHoist(repo.root(), full);
  };
  ASSERT_EQ(build({"--all"}).exit_code, 0);
  repo.Write("other/x", "changed\n");
  repo.Commit("other changes");
  auto changed = build({"--all"});
  EXPECT_EQ(testing::Lines(changed.out).size(), 1u) << changed.out;  // the one not cached
  EXPECT_EQ(changed.out.rfind("other ", 0), 0u) << changed.out;
  EXPECT_NE(changed.out.find(" built "), std::string::npos) << changed.out;
  EXPECT_NE(changed.out.find(" 0:0"), std::string::npos) << changed.out;         // how long it took
  EXPECT_EQ(changed.out.find(Hash("other")), std::string::npos) << changed.out;  // 12 hex only
  EXPECT_NE(changed.err.find("hoist: 1 built, 2 cached in 0:"), std::string::npos) << changed.err;
  auto full = build({"--all", "--summary", "full"});
  EXPECT_EQ(testing::Lines(full.out).size(), 3u) << full.out;
  // A failure: its own count, the skipped one's, and the failed project's log named.
  repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nRUN false\n");
  repo.Commit("lib breaks");
  auto failed = build({"--all"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("hoist: 0 built, 1 cached, 1 failed, 1 skipped in 0:"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.out.find("log: " + repo.root() + "/.hoist/runs/"), std::string::npos)
      << failed.out;
  EXPECT_NE(failed.out.find("/lib.log"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("app "), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find(" skipped "), std::string::npos) << failed.out;
  // The failure is said once: its output's last lines are not repeated under the error.
  EXPECT_NE(failed.err.find("hoist: lib's log: "), std::string::npos) << failed.err;
}

// "every run truncates every project's log (a no-op run leaves them empty); .hoist/ is not
// ignored": each run's logs in a directory of their own, .hoist/logs the latest, a cached
// project's log saying why, and nothing of it in `git status`.
TEST_F(Build, LogsAreKeptPerRunAndSayWhyACachedProjectWasCached) {
  auto build = [&] {
    return testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "build", "other"});
  };
  ASSERT_EQ(build().exit_code, 0);
  const std::string built = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  ASSERT_EQ(build().exit_code, 0);
  const std::string cached = testing::ReadText(repo.root() + "/.hoist/logs/other.log");
  EXPECT_NE(cached.find("hoist: cached: image cache-" + Hash("other").substr(0, 12) + " exists"),
            std::string::npos)
      << cached;
  std::vector<std::string> runs;
  for (const auto& entry : std::filesystem::directory_iterator(repo.root() + "/.hoist/runs")) {
    runs.push_back(entry.path().filename().string());
  }
  std::sort(runs.begin(), runs.end());
  ASSERT_EQ(runs.size(), 2u);
  // The first run's log is still there, whole.
  EXPECT_EQ(testing::ReadText(repo.root() + "/.hoist/runs/" + runs[0] + "/other.log"), built);
  EXPECT_EQ(std::filesystem::read_symlink(repo.root() + "/.hoist/logs").string(),
            "runs/" + runs[1]);
  EXPECT_EQ(RunOk(repo.root(), {"git", "status", "--porcelain"}), "");
}

// docker build --network: hoist.yml build.network, overridden by HOIST_NETWORK (or --network);
// with neither, the engine's default (no --network flag), as `docker build` itself does: a
// Dockerfile that runs apt-get or npm works unchanged. Before, hoist always passed none.
TEST_F(Build, TheNetworkIsHoistYmlsOrTheFlagsElseTheEnginesDefault) {
  // Which network interfaces a RUN step sees: only lo without network, the host's with host.
  repo.Write("other/Dockerfile",
             "FROM hoist-example/busybox:1\nCOPY x /x\nRUN ls /sys/class/net > /nets\n");
  repo.Write("hoist.yml", "build:\n  network: host\n");
  repo.Write("other/x", "host\n");
  repo.Commit();
  auto nets = [&] {
    std::string image = registry.host() + "/t/other:cache-" + Hash("other");
    RunOk("/", {"docker", "pull", "-q", image});
    return RunOk("/", {"docker", "run", "--rm", "--network=none", image, "cat", "/nets"});
  };
  auto build = [&](const std::string& network_env) {
    return testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "build", "other"},
                             {"HOIST_NETWORK=" + network_env});
  };
  auto run = build("");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(nets(), "lo\n") << "hoist.yml build.network: host was not used";

  repo.Write("other/x", "flag\n");  // a new hash, and a new RUN layer
  repo.Commit();
  run = build("none");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nets(), "lo\n") << "HOIST_NETWORK=none did not win over hoist.yml";

  repo.Write("hoist.yml", "build:\n  network: [host]\n");
  repo.Commit();
  run = build("");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("hoist.yml:2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("network"), std::string::npos) << run.err;
}

TEST_F(Build, ALibraryChangeRebuildsItAndItsDependentsOnly) {
  BuildResults({"--all"});
  repo.Write("lib/src/lib.c", "int lib = 2;\n");
  repo.Commit();
  EXPECT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "cached"}}));
}

TEST_F(Build, ADockerfileOnlyChangeRebuilds) {
  BuildResults({"--all"});
  repo.Write("other/Dockerfile", "FROM hoist-example/busybox:1\nCOPY x /y\n");
  repo.Commit();
  EXPECT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "cached"}, {"app", "cached"}, {"other", "built"}}));
}

TEST_F(Build, ATaintRebuildsOnceAndIsCleared) {
  BuildResults({"--all"});
  ASSERT_EQ(testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "taint", "other"})
                .exit_code,
            0);
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "built"}}));
  EXPECT_EQ(ImageExists("other", "tainted"), 1);
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "cached"}}));
}

TEST_F(Build, AFailureSkipsDependentsAndTheOthersFinish) {
  repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nRUN false\n");
  repo.Commit();
  auto results = BuildResults({"--all", "-j", "1"}, 1);
  EXPECT_EQ(results, (Results{{"lib", "failed"}, {"app", "skipped"}, {"other", "built"}}));
  EXPECT_EQ(ImageExists("lib", "cache-" + Hash("lib")), 1);
  // The failure's log is kept.
  EXPECT_NE(RunOk(repo.root(), {"cat", ".hoist/logs/lib.log"}).find("false"), std::string::npos);
}

TEST_F(Build, FailFastStopsEverything) {
  repo.Write("lib/Dockerfile", "FROM hoist-example/busybox:1\nRUN false\n");
  repo.Commit();
  auto results = BuildResults({"--all", "-j", "1", "--fail-fast"}, 1);
  EXPECT_EQ(results, (Results{{"lib", "failed"}, {"app", "skipped"}, {"other", "skipped"}}));
}

TEST_F(Build, MultiarchHostTagsTheArchitectureToo) {
  repo.Write("build_manifest.yml", std::string(kManifest) + "  multiarch: host\n");
  repo.Commit();
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "built"}}));
  std::string arch = RunOk("/", {"docker", "version", "--format", "{{.Server.Arch}}"});
  arch = arch.substr(0, arch.find('\n'));
  EXPECT_EQ(ImageExists("other", "cache-" + Hash("other") + "-" + arch), 0);
  EXPECT_EQ(ImageExists("other", "cache-" + Hash("other")), 0);
  // Another architecture's build (here: the tag it would have left missing) is its own
  // decision: cache-<hash> alone does not make this architecture's image cached.
  ASSERT_EQ(testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "image", "untag",
                                            "other", "cache-" + Hash("other") + "-" + arch})
                .exit_code,
            0);
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "built"}}));
  EXPECT_EQ(ImageExists("other", "cache-" + Hash("other") + "-" + arch), 0);
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "cached"}}));
}

// cache-<hash> of a multiarch: host project is the index of every architecture's image, written
// by a registry call (the Aztec build system's create_ecr_manifest): each builder adds its own.
TEST_F(Build, MultiarchHostWritesTheIndexOfEveryArchitecture) {
  repo.Write("build_manifest.yml", std::string(kManifest) + "  multiarch: host\n");
  repo.Commit();
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "built"}}));
  std::string arch = RunOk("/", {"docker", "version", "--format", "{{.Server.Arch}}"});
  arch = arch.substr(0, arch.find('\n'));
  const std::string hash = Hash("other");
  HttpClient http;
  auto client = registry.Client(http);
  auto platforms = [&] {
    auto index = client->GetManifest("t/other", "cache-" + hash);
    EXPECT_TRUE(index.ok()) << (index.ok() ? "" : index.error().message);
    std::vector<std::string> found;
    if (!index.ok()) return found;
    EXPECT_EQ(index->media_type, kDockerManifestList);
    const auto parsed = nlohmann::json::parse(index->bytes);
    for (const auto& entry : parsed["manifests"]) {
      found.push_back(entry["platform"]["os"].get<std::string>() + "/" +
                      entry["platform"]["architecture"].get<std::string>());
    }
    return found;
  };
  EXPECT_EQ(platforms(), std::vector<std::string>{"linux/" + arch});

  // Another machine's architecture: this image with an arm64 configuration, as its builder
  // would have pushed it.
  auto mine = client->GetManifest("t/other", "cache-" + hash + "-" + arch);
  ASSERT_TRUE(mine.ok());
  auto manifest = nlohmann::json::parse(mine->bytes);
  auto config_text = client->GetBlob("t/other", manifest["config"]["digest"]);
  ASSERT_TRUE(config_text.ok());
  auto config = nlohmann::json::parse(*config_text);
  config["architecture"] = "arm64";
  const std::string other_config = config.dump();
  const std::string other_digest = Sha256Digest(other_config);
  ASSERT_TRUE(client->PutBlob("t/other", other_digest, other_config).ok());
  manifest["config"]["digest"] = other_digest;
  manifest["config"]["size"] = other_config.size();
  ASSERT_TRUE(
      client->PutManifest("t/other", "cache-" + hash + "-arm64", kDockerManifest, manifest.dump())
          .ok());

  // This architecture built again: the index now holds both, in one order.
  EXPECT_EQ(BuildResults({"--force", "other"}), (Results{{"other", "built"}}));
  auto both = platforms();
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::string>{"linux/" + arch, "linux/arm64"}));
  // and docker pulls this machine's image through it.
  RunOk("/", {"docker", "pull", "-q", registry.host() + "/t/other:cache-" + hash});
}

TEST_F(Build, MultiarchBuildxIsRefusedWithTheFix) {
  repo.Write("build_manifest.yml", std::string(kManifest) + "  multiarch: buildx\n");
  repo.Commit();
  BuildResults({"other"}, 1);
  EXPECT_NE(last.err.find("multiarch: buildx needs docker buildx"), std::string::npos) << last.err;
}

TEST_F(Build, ANamedStageIsReusedWhenOnlyTheFinalStageChanges) {
  BuildResults({"lib"});
  std::string first = Stamp("lib");
  repo.Write("lib/final.txt", "v2\n");  // the final stage only
  repo.Commit();
  EXPECT_EQ(BuildResults({"lib"}), (Results{{"lib", "built"}}));
  EXPECT_EQ(Stamp("lib"), first);  // the stage's RUN did not run again
}

TEST_F(Build, AKilledBuildLeavesNoCacheTagAndTheNextRunRebuilds) {
  // (A step of this test alone: a layer cached in the engine by another run would make the
  // build end before the signal.)
  repo.Write("other/Dockerfile", "FROM hoist-example/busybox:1\nCOPY x /x\nRUN sleep 4 && : " +
                                     std::filesystem::path(repo.root()).filename().string() + "\n");
  repo.Commit();
  // Ctrl-C (SIGINT) to hoist while the RUN step sleeps.
  ProcessSpec spec;
  spec.argv = {"bash", "-c",
               std::string(HOIST_BINARY) + " --registry " + registry.host() +
                   "/t build other & pid=$!; sleep 1.5; kill -INT $pid; wait $pid"};
  spec.cwd = repo.root();
  auto result = RunProcess(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->exit_code, 130) << result->stderr_text;
  EXPECT_EQ(ImageExists("other", "cache-" + Hash("other")), 1);
  EXPECT_EQ(BuildResults({"other"}), (Results{{"other", "built"}}));
}

TEST_F(Build, DryRunSaysWhatAndWhyWithoutBuilding) {
  auto plan = testing::RunHoist(
      repo.root(), {"--registry", registry.host() + "/t", "build", "--all", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("build   lib"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("no image cache-"), std::string::npos);
  EXPECT_EQ(ImageExists("lib", "cache-" + Hash("lib")), 1);
}

// "build --dry-run says 'no image cache-d0f67aced04a'": it also says what changed since the
// nearest commit whose hash has an image, down to the file and through dependencies.
TEST_F(Build, ADryRunSaysWhatChangedSinceTheLastImage) {
  ASSERT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "built"}}));
  const std::string built = repo.Git({"rev-parse", "HEAD"}).substr(0, 12);
  repo.Write("lib/src/lib.c", "int lib = 2;\n");
  repo.Commit("change lib");
  repo.Write("README.md", "unrelated\n");
  repo.Commit("unrelated");
  const std::vector<std::string> plan_args = {"--registry", registry.host() + "/t", "build",
                                              "--all", "--dry-run"};
  auto plan = testing::RunHoist(repo.root(), plan_args);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const std::string since = "since " + built + " (2 commits back), which has image cache-";
  const size_t lib = plan.out.find("build   lib ");
  const size_t app = plan.out.find("build   app ");
  ASSERT_NE(lib, std::string::npos) << plan.out;
  ASSERT_NE(app, std::string::npos) << plan.out;
  EXPECT_LT(lib, app) << plan.out;  // dependencies first
  const size_t lib_since = plan.out.find(since, lib);
  EXPECT_LT(lib_since, app) << plan.out;  // lib's own, not app's
  EXPECT_NE(plan.out.find("\n          modified  lib/src/lib.c\n", lib), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("\n          dependency lib changed (", app), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("\n            modified  lib/src/lib.c\n", app), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("cached  other "), std::string::npos) << plan.out;

  std::vector<std::string> json_args = {"--json"};
  json_args.insert(json_args.end(), plan_args.begin(), plan_args.end());
  auto json = testing::RunHoist(repo.root(), json_args);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  int lib_rows = 0;
  const auto rows = nlohmann::json::parse(json.out)["projects"];
  for (const auto& row : rows) {
    if (row["project"] != "lib") continue;
    ++lib_rows;
    EXPECT_EQ(row["since"]["back"], 2) << json.out;
    EXPECT_EQ(row["since"]["changes"]["files"][0],
              (nlohmann::json{{"path", "lib/src/lib.c"}, {"change", "modified"}}))
        << json.out;
  }
  EXPECT_EQ(lib_rows, 1) << json.out;

  // "build --dry-run prints that first cause on each line", in words, through the dependencies.
  const std::string app_row = plan.out.substr(app, plan.out.find('\n', app) - app);
  EXPECT_NE(app_row.find(", because lib changed, because lib/src/lib.c was modified"),
            std::string::npos)
      << plan.out;
  // "hoist explain P finds the newest earlier build of P in the store and prints the chain to
  // the root cause in words".
  auto explained =
      testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "explain", "app"});
  ASSERT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find("the newest earlier build is cache-"), std::string::npos)
      << explained.out;
  EXPECT_NE(explained.out.find(" of " + built + " (2 commits back)"), std::string::npos)
      << explained.out;
  EXPECT_NE(
      explained.out.find("app: rebuilds because lib changed, because lib/src/lib.c was modified"),
      std::string::npos)
      << explained.out;
  ASSERT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "cached"}}));
  explained =
      testing::RunHoist(repo.root(), {"--registry", registry.host() + "/t", "explain", "app"});
  EXPECT_NE(explained.out.find(" exists: a build uses it"), std::string::npos) << explained.out;
}

// A CI job's checkout is often shallow (GitHub's checkout fetches one commit): there is no
// earlier commit to hash, so "why?" stopped at "no image cache-…". Each build records the
// inputs of its hash in the store, and the branch's last build is found there.
TEST_F(Build, AShallowCloneStillSaysWhatChangedSinceTheLastBuild) {
  ASSERT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "built"}}));
  const std::string built = repo.Git({"rev-parse", "HEAD"}).substr(0, 12);
  repo.Write("lib/src/lib.c", "int lib = 3;\n");
  repo.Commit("change lib");
  const std::string clone = testing::MakeTempDir("hoist-shallow");
  RunOk("/", {"git", "clone", "-q", "--depth", "1", "file://" + repo.root(), clone + "/repo"});
  const std::string root = clone + "/repo";
  ASSERT_EQ(repo.Git({"-C", root, "rev-parse", "--is-shallow-repository"}), "true\n");
  auto plan = testing::RunHoist(
      root, {"--registry", registry.host() + "/t", "build", "--all", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const size_t app = plan.out.find("build   app ");
  ASSERT_NE(app, std::string::npos) << plan.out;
  const std::string app_row = plan.out.substr(app, plan.out.find('\n', app) - app);
  EXPECT_NE(app_row.find(", because lib changed, because lib/src/lib.c was modified"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(
      plan.out.find("since " + built +
                        " (the branch's last build, as recorded in the store), which has image "
                        "cache-",
                    app),
      std::string::npos)
      << plan.out;
  auto explained =
      testing::RunHoist(root, {"--registry", registry.host() + "/t", "explain", "app"});
  EXPECT_NE(
      explained.out.find("app: rebuilds because lib changed, because lib/src/lib.c was modified"),
      std::string::npos)
      << explained.out;
  std::filesystem::remove_all(clone);
}

// "a misspelt manifest key (dependecies) is a warning while the build then fails on its FROM":
// the warning stays (the Aztec build system's scripts ignore such a key, and a team must not
// have to edit its manifest to switch), and is said again beside the failure it explains.
TEST_F(Build, AFailedBuildRepeatsTheKeyItsManifestEntryIgnored) {
  repo.Write("build_manifest.yml",
             "lib:\n  buildDir: lib\napp:\n  buildDir: app\n  dependecies: [lib]\n"
             "other:\n  buildDir: other\n");
  repo.Write("app/Dockerfile", "FROM hoist-example/busybox:1\nRUN test -f /stamp\n");
  repo.Commit("a misspelt key");
  auto results = BuildResults({"app"}, 1);
  EXPECT_EQ(results["app"], "failed");
  const size_t said = last.err.find(
      "hoist: app failed; its manifest entry has a key hoist "
      "ignores:\nbuild_manifest.yml:5:3: warning: project 'app': "
      "unknown key 'dependecies' is ignored");
  EXPECT_NE(said, std::string::npos) << last.err;
  EXPECT_NE(last.err.find("did you mean 'dependencies'?", said), std::string::npos) << last.err;
}

TEST_F(Build, BadInputsGetClearErrors) {
  repo.Remove("other/Dockerfile");
  repo.Write("app/Dockerfile", "FROM other\n");
  repo.Commit();
  auto results = BuildResults({"--all", "-j", "1"}, 1);
  EXPECT_EQ(results["other"], "failed");
  EXPECT_EQ(results["app"], "failed");
  EXPECT_NE(last.err.find("Dockerfile 'other/Dockerfile' does not exist"), std::string::npos)
      << last.err;
  EXPECT_NE(last.err.find("FROM other names project 'other', which is not a dependency of 'app'"),
            std::string::npos)
      << last.err;

  auto unreachable = testing::RunHoist(
      repo.root(),
      {"--registry", "127.0.0.1:" + std::to_string(testing::FreePort()), "build", "lib"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("cannot be reached"), std::string::npos) << unreachable.err;
  // Said once for the run, not once per project ("one engine error per run, not per project",
  // issue 16, holds for a registry too; each project probed it again before).
  EXPECT_EQ(unreachable.err.find("cannot be reached"), unreachable.err.rfind("cannot be reached"))
      << unreachable.err;

  ProcessSpec spec;
  spec.argv = {"env", "DOCKER_HOST=unix:///nonexistent/docker.sock", HOIST_BINARY, "build", "lib"};
  spec.cwd = repo.root();
  auto no_engine = RunProcess(spec);
  ASSERT_TRUE(no_engine.ok());
  EXPECT_EQ(no_engine->exit_code, 1);
  EXPECT_NE(no_engine->stderr_text.find("no Docker engine answers"), std::string::npos)
      << no_engine->stderr_text;
  EXPECT_NE(no_engine->stderr_text.find("dockerd"), std::string::npos);
}

// A CI job whose images are all in the registry has nothing to build: it needs no Docker
// engine (a runner without one used to fail such a job before deciding anything).
TEST_F(Build, NothingToBuildNeedsNoDockerEngine) {
  // The base from the registry too, so nothing needs the engine to resolve it.
  const std::string base = registry.host() + "/t/busybox:1";
  RunOk("/", {"docker", "tag", "hoist-example/busybox:1", base});
  RunOk("/", {"docker", "push", "-q", base});
  repo.Write("lib/Dockerfile", "FROM " + base + " AS build\nCOPY src/ /src/\nFROM " + base +
                                   "\nCOPY final.txt /final.txt\n");
  repo.Write("other/Dockerfile", "FROM " + base + "\nCOPY x /x\n");
  repo.Commit("bases from the registry");
  ASSERT_EQ(BuildResults({"--all"}),
            (Results{{"lib", "built"}, {"app", "built"}, {"other", "built"}}));
  const std::vector<std::string> no_engine = {"DOCKER_HOST=unix:///nonexistent/docker.sock"};
  const std::vector<std::string> build = {"--registry", registry.host() + "/t", "build", "--all"};
  auto cached = testing::RunHoist(repo.root(), build, no_engine);
  EXPECT_EQ(cached.exit_code, 0) << cached.err;
  repo.Write("other/x", "changed\n");
  repo.Commit("change other");
  auto changed = testing::RunHoist(repo.root(), build, no_engine);
  EXPECT_EQ(changed.exit_code, 1) << changed.err;
  EXPECT_NE(changed.err.find("no Docker engine answers"), std::string::npos) << changed.err;
  RunOk("/", {"docker", "image", "rm", base});
}

TEST_F(Build, LocalEngineByDefault) {
  auto first = testing::RunHoist(repo.root(), {"--json", "build", "other"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto json = nlohmann::json::parse(first.out);
  EXPECT_EQ(json["store"], "the local Docker engine");
  std::string result = json["jobs"][0]["result"];
  EXPECT_TRUE(result == "built" || result == "cached") << result;
  RunOk("/", {"docker", "image", "inspect", "hoist/other:cache-" + Hash("other")});
  auto second =
      nlohmann::json::parse(testing::RunHoist(repo.root(), {"--json", "build", "other"}).out);
  EXPECT_EQ(second["jobs"][0]["result"], "cached");
}

}  // namespace
}  // namespace hoist
