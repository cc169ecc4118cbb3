// hoist build --remote ssh://…: builds on a Docker engine reached through a real sshd on
// loopback (this machine's own engine behind it), with the same cache semantics as locally.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/sshd_fixture.h"
#include "support/temp_repo.h"

namespace hoist {
namespace {

using testing::HoistRun;
using testing::RegistryFixture;
using testing::RunOk;
using testing::SshdFixture;
using testing::TempRepo;

class RemoteBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::EnsureDockerEngine(), "") << "remote builds need a Docker engine";
    ASSERT_TRUE(sshd.ok()) << sshd.problem();
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    base = "FROM " + testing::PushExampleBase(bases.host()) + "\n";
    repo.Write("build_manifest.yml",
               "lib:\n  buildDir: lib\napp:\n  buildDir: app\n  dependencies: [lib]\n"
               "slow:\n  buildDir: slow\n");
    repo.Write("lib/Dockerfile", base + "COPY lib.c /lib.c\n");
    repo.Write("lib/lib.c", "int lib;\n");
    repo.Write("app/Dockerfile", "FROM lib\nCOPY main.c /main.c\n");
    repo.Write("app/main.c", "int main;\n");
    repo.Write("slow/Dockerfile", base + "COPY s /s\nRUN echo slow-build-started && sleep 30\n");
    repo.Write("slow/s", "s\n");
    repo.Write("hoist.yml", sshd.HoistYmlSsh());
    repo.Commit("initial");
  }

  /// hoist --json --registry REGISTRY build ARGS, with no usable local engine: every docker
  /// call must go through the SSH connection.
  HoistRun Build(const RegistryFixture& registry, std::vector<std::string> args,
                 bool local_engine = false) {
    ProcessSpec spec;
    spec.argv = {HOIST_BINARY, "--json", "--registry", registry.host() + "/t", "build"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = repo.root();
    if (!local_engine) spec.env = {"DOCKER_HOST=unix:///nonexistent/docker.sock"};
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }

  std::vector<std::string> Tags(const RegistryFixture& registry, const std::string& project) {
    HttpClient http;
    auto tags = registry.Client(http)->ListTags("t/" + project);
    EXPECT_TRUE(tags.ok());
    std::vector<std::string> cache;
    if (!tags.ok()) return cache;
    for (const auto& tag : *tags) {
      if (tag.rfind("cache-", 0) == 0) cache.push_back(tag);
    }
    return cache;
  }

  SshdFixture sshd;
  TempRepo repo;
  RegistryFixture bases;  ///< holds the base image, which the remote engine pulls by digest
  std::string base;       ///< "FROM <that base>\n"
};

TEST_F(RemoteBuild, SameCacheTagsAsALocalBuildAndCachedAfterwards) {
  RegistryFixture local_registry, remote_registry;
  auto local = Build(local_registry, {"lib", "app"}, true);
  ASSERT_EQ(local.exit_code, 0) << local.err;

  auto remote = Build(remote_registry, {"--remote", sshd.url(), "lib", "app"});
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_EQ(testing::BuildResults(remote.out),
            (std::map<std::string, std::string>{{"lib", "built"}, {"app", "built"}}));
  EXPECT_NE(remote.err.find("[lib] hoist: building lib on " + sshd.url()), std::string::npos)
      << remote.err;
  EXPECT_NE(remote.err.find("DOCKER_HOST=unix:///tmp/hoist-ssh-"), std::string::npos);
  for (const char* project : {"lib", "app"}) {
    EXPECT_EQ(Tags(remote_registry, project), Tags(local_registry, project)) << project;
    EXPECT_EQ(Tags(remote_registry, project).size(), 1u);
  }
  // One connection for the host, reused by both jobs.
  EXPECT_EQ(sshd.Connections(), 1);

  // Unchanged: cached, as locally; a change rebuilds only what depends on it, remotely.
  auto again = Build(remote_registry, {"--remote", sshd.url(), "lib", "app"});
  EXPECT_EQ(testing::BuildResults(again.out),
            (std::map<std::string, std::string>{{"lib", "cached"}, {"app", "cached"}}));
  repo.Write("app/main.c", "int main2;\n");
  repo.Commit("app changes");
  auto changed = Build(remote_registry, {"--remote", sshd.url(), "app"});
  EXPECT_EQ(testing::BuildResults(changed.out),
            (std::map<std::string, std::string>{{"lib", "cached"}, {"app", "built"}}));
}

TEST_F(RemoteBuild, ADroppedConnectionFailsTheJobCleanlyAndTagsNothing) {
  RegistryFixture registry;
  auto running = std::async(std::launch::async, [&] {
    return Build(registry, {"--remote", sshd.url(), "slow"});
  });
  // Wait until the build runs on the far side, then cut the connection.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool started = false;
  while (!started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ifstream log(repo.root() + "/.hoist/logs/slow.log");
    std::string text((std::istreambuf_iterator<char>(log)), {});
    started = text.find("\nslow-build-started") != std::string::npos;
  }
  ASSERT_TRUE(started) << "the slow build never started";
  auto cut = std::chrono::steady_clock::now();
  sshd.DropConnections();
  ASSERT_EQ(running.wait_for(std::chrono::seconds(40)), std::future_status::ready)
      << "hoist did not notice the dropped connection";
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - cut).count();
  HoistRun run = running.get();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(testing::BuildResults(run.out)["slow"], "failed");
  EXPECT_NE(run.err.find("lost the SSH connection to " + sshd.url()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was tagged"), std::string::npos);
  EXPECT_TRUE(Tags(registry, "slow").empty());
  EXPECT_LT(seconds, 30.0);
  // The next run connects again and would build it again.
  repo.Write("slow/Dockerfile", base + "COPY s /s\n");
  repo.Commit("faster");
  auto retry = Build(registry, {"--remote", sshd.url(), "slow"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(Tags(registry, "slow").size(), 1u);
}

TEST_F(RemoteBuild, APoolRunsOneJobPerHost) {
  RegistryFixture registry;
  // Two names of the same server make a pool of two hosts.
  const std::string second = "ssh://" + sshd.url().substr(6, sshd.url().find('@') - 6) +
                             "@localhost:" + std::to_string(sshd.port());
  // A dead host first: its jobs move on to the live ones.
  const std::string dead = "ssh://root@127.0.0.1:" + std::to_string(testing::FreePort());
  repo.Write("hoist.yml", sshd.HoistYmlSsh() + "remotes:\n  - " + dead + "\n  - " + sshd.url() +
                              "\n  - " + second + "\n");
  repo.Write("slow/Dockerfile", base + "COPY s /s\n");
  repo.Commit("pool");
  auto run = Build(registry, {"--remote", "pool", "lib", "slow"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const bool first_used = run.err.find(" on " + sshd.url() + " (") != std::string::npos;
  const bool second_used = run.err.find(" on " + second + " (") != std::string::npos;
  EXPECT_TRUE(first_used && second_used) << run.err;
  EXPECT_NE(run.err.find("cannot reach the Docker engine of " + dead), std::string::npos);
  EXPECT_NE(run.err.find("trying another machine of the pool"), std::string::npos) << run.err;
}

TEST_F(RemoteBuild, TestJobsRunInTheirImagesOnTheRemoteEngine) {
  RegistryFixture registry;
  repo.Write("build_manifest.yml",
             "lib:\n  buildDir: lib\n  tests:\n    smoke: test -f /lib.c && echo remote-ok\n");
  repo.Commit("a test job");
  ASSERT_EQ(Build(registry, {"--remote", sshd.url(), "lib"}).exit_code, 0);
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "--registry", registry.host() + "/t", "test", "--remote",
               sshd.url(),   "lib"};
  spec.cwd = repo.root();
  spec.env = {"DOCKER_HOST=unix:///nonexistent/docker.sock"};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("hoist: running on " + sshd.url()), std::string::npos)
      << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("remote-ok"), std::string::npos);
  // The pass is recorded: the next run skips it.
  auto again = RunProcess(spec);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->stdout_text.find("passed before"), std::string::npos) << again->stdout_text;
}

TEST_F(RemoteBuild, AProjectsOwnRemoteWinsOnceRemoteIsGiven) {
  RegistryFixture registry;
  repo.Write("build_manifest.yml", "lib:\n  buildDir: lib\n  remote: " + sshd.url() +
                                       "\napp:\n  buildDir: app\n  dependencies: [lib]\n");
  repo.Commit("lib builds remotely");
  // Without --remote, everything is local (a laptop ignores remote:).
  auto local = Build(registry, {"lib"}, true);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_NE(local.err.find("[lib] hoist: building lib on local engine"), std::string::npos)
      << local.err;
  EXPECT_EQ(sshd.Connections(), 0);
  // With --remote local: lib on its host, app here.
  repo.Write("app/main.c", "int main3;\n");
  repo.Write("lib/lib.c", "int lib3;\n");
  repo.Commit("both change");
  auto mixed = Build(registry, {"--remote", "local", "app"}, true);
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_NE(mixed.err.find("[lib] hoist: building lib on " + sshd.url()), std::string::npos)
      << mixed.err;
  EXPECT_NE(mixed.err.find("[app] hoist: building app on local engine"), std::string::npos);
}

TEST_F(RemoteBuild, BadInputs) {
  RegistryFixture registry;
  auto scheme = Build(registry, {"--remote", "tcp://127.0.0.1:2375", "lib"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_NE(scheme.err.find("--remote tcp://127.0.0.1:2375: use ssh://[USER@]HOST[:PORT]"),
            std::string::npos)
      << scheme.err;

  // A key the server does not know: ssh's own words, no hang.
  repo.Write("hoist.yml", "ssh:\n  identityFile: " + sshd.dir() + "/host_key\n  options: " +
                              "[UserKnownHostsFile=" + sshd.dir() + "/known_hosts]\n");
  auto denied = Build(registry, {"--remote", sshd.url(), "lib"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("cannot reach the Docker engine of " + sshd.url() + " over SSH"),
            std::string::npos)
      << denied.err;
  EXPECT_NE(denied.err.find("Permission denied"), std::string::npos) << denied.err;

  // Nobody listens.
  auto refused = Build(
      registry, {"--remote", "ssh://root@127.0.0.1:" + std::to_string(testing::FreePort()), "lib"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("Connection refused"), std::string::npos) << refused.err;

  // No registry: a remote engine has nowhere to put its images.
  auto no_registry = testing::RunHoist(repo.root(), {"build", "--remote", sshd.url(), "lib"});
  EXPECT_EQ(no_registry.exit_code, 2);
  EXPECT_NE(no_registry.err.find("--remote needs a registry"), std::string::npos)
      << no_registry.err;

  // A pool without hosts, and a bad per-project remote.
  repo.Write("hoist.yml", sshd.HoistYmlSsh());
  auto empty_pool = Build(registry, {"--remote", "pool", "lib"});
  EXPECT_EQ(empty_pool.exit_code, 2);
  EXPECT_NE(empty_pool.err.find("hoist.yml lists no remotes"), std::string::npos) << empty_pool.err;
  repo.Write("build_manifest.yml", "lib:\n  buildDir: lib\n  remote: spot\n");
  auto bad_remote = Build(registry, {"lib"});
  EXPECT_EQ(bad_remote.exit_code, 1);
  EXPECT_NE(bad_remote.err.find("'remote' must be local, pool, ssh://[USER@]HOST[:PORT] or "
                                "spot:CPUS"),
            std::string::npos)
      << bad_remote.err;
}

}  // namespace
}  // namespace hoist
