// The spot provider: the real AWS CLI (Debian awscli) pointed with --endpoint-url at an EC2-API
// stand-in (tests/fixtures/ec2_standin.py; AWS cannot be reached here) whose machines are this
// one, reached through a real sshd on loopback with its real Docker engine behind it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/docker_engine.h"
#include "support/ec2_standin.h"
#include "support/registry_fixture.h"
#include "support/spot_config.h"
#include "support/sshd_fixture.h"
#include "support/temp_repo.h"
#include "util/base64.h"

namespace hoist {
namespace {

using nlohmann::json;
using testing::Ec2StandIn;
using testing::HoistRun;
using testing::RegistryFixture;
using testing::RunOk;
using testing::SshdFixture;
using testing::TempRepo;

class Spot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access("/usr/bin/aws", X_OK), 0)
        << "the AWS CLI is missing: run scripts/bootstrap.sh";
    ASSERT_EQ(testing::EnsureDockerEngine(), "");
    ASSERT_TRUE(sshd.ok()) << sshd.problem();
    RunOk(HOIST_SOURCE_DIR, {"bash", "scripts/make-busybox-image.sh"});
    base = "FROM " + testing::PushExampleBase(registry.host()) + "\n";
    repo.Write("build_manifest.yml", "lib:\n  buildDir: lib\n");
    repo.Write("lib/Dockerfile", base + "COPY lib.c /lib.c\n");
    repo.Write("lib/lib.c", "int lib;\n");
    WriteConfig(2, 30);
    repo.Commit("initial");
  }
  void WriteConfig(int spot_wait, int boot_wait, const std::string& extra_size = "") {
    const std::string url = sshd.url();
    const std::string user = url.substr(6, url.find('@') - 6);
    repo.Write("hoist.yml",
               sshd.HoistYmlSsh() + "spot:\n  endpointUrl: " + ec2.url() +
                   "\n  region: us-east-1\n  pricePerCpuHour: 0.01\n  user: " + user +
                   "\n  sshPort: " + std::to_string(sshd.port()) + "\n  spotWaitSeconds: " +
                   std::to_string(spot_wait) + "\n  bootWaitSeconds: " + std::to_string(boot_wait) +
                   "\n  lifetimeMinutes: 90\n  sizes:\n    4:\n      instanceType: c6a.xlarge\n"
                   "      imageId: ami-0hoist\n      keyName: hoist-build\n"
                   "      securityGroupIds: [sg-1]\n      subnetId: subnet-1\n" +
                   extra_size);
  }
  std::vector<std::string> Env() {
    auto env = testing::AwsStandInEnv();
    env.push_back("DOCKER_HOST=unix:///nonexistent/docker.sock");
    return env;
  }
  HoistRun Build(std::vector<std::string> args, std::vector<std::string> env = {}) {
    ProcessSpec spec;
    spec.argv = {HOIST_BINARY, "--registry", registry.host() + "/t", "build"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = repo.root();
    spec.env = Env();
    spec.env.insert(spec.env.end(), env.begin(), env.end());
    auto result = RunProcess(spec);
    EXPECT_TRUE(result.ok());
    return {result->exit_code, result->stdout_text, result->stderr_text};
  }
  bool HasImage() {
    const std::string hash = testing::HashOf(repo.root(), "lib");
    HttpClient http;
    auto head = registry.Client(http)->HeadManifest("t/lib", "cache-" + hash);
    return head.ok() && head->has_value();
  }
  /// Every instance the stand-in ever started ended by hoist's terminate.
  void ExpectAllTerminated() {
    json state = ec2.State();
    EXPECT_FALSE(state["instances"].empty());
    for (const auto& [id, instance] : state["instances"].items()) {
      const std::string now = instance["state"];
      EXPECT_TRUE(now == "terminated" || now == "shutting-down") << id << " is " << now;
    }
  }
  /// A step no other test has: the engine (shared by the tests running at once) has no cached
  /// layer of it, so the build really runs it and prints what WaitForLog waits for.
  std::string Nonce() const {
    return " && : " + std::filesystem::path(repo.root()).filename().string();
  }
  void WaitForLog(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline &&
           testing::ReadText(repo.root() + "/.hoist/logs/lib.log").find(text) ==
               std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_NE(testing::ReadText(repo.root() + "/.hoist/logs/lib.log").find(text), std::string::npos)
        << "never saw '" << text << "'";
  }

  SshdFixture sshd;
  TempRepo repo;
  Ec2StandIn ec2;
  RegistryFixture registry;
  std::string base;  ///< "FROM <the example's base in the registry>\n"
};

TEST_F(Spot, ASpotMachineBuildsAndIsAlwaysTerminated) {
  auto run = Build({"--remote", "spot:4", "lib"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(HasImage());
  // The sequence: leftovers first, the spot request at 4 × 0.01, tags, the machine, the end.
  auto actions = ec2.Actions();
  ASSERT_GE(actions.size(), 6u);
  EXPECT_EQ(actions.front(), "DescribeInstances");
  EXPECT_EQ(actions[1], "RequestSpotInstances");
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "RunInstances"), 0);
  // The end: the request cancelled, checked for a late machine, the machine terminated.
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(actions.end() - 3, actions.end()),
            (std::vector<std::string>{"CancelSpotInstanceRequests", "DescribeSpotInstanceRequests",
                                      "TerminateInstances"}));
  json request = ec2.Requests("RequestSpotInstances")[0];
  EXPECT_EQ(request["SpotPrice"], "0.0400");
  EXPECT_EQ(request["Type"], "one-time");
  EXPECT_EQ(request["LaunchSpecification.InstanceType"], "c6a.xlarge");
  EXPECT_EQ(request["LaunchSpecification.ImageId"], "ami-0hoist");
  EXPECT_EQ(request["LaunchSpecification.KeyName"], "hoist-build");
  EXPECT_EQ(request["LaunchSpecification.SecurityGroupId.1"], "sg-1");
  EXPECT_EQ(Base64Decode(request["LaunchSpecification.UserData"]), "#!/bin/sh\nshutdown -h +90\n");
  EXPECT_EQ(request["TagSpecification.1.ResourceType"], "spot-instances-request");
  json tags = ec2.Requests("CreateTags")[0];
  EXPECT_EQ(tags["Tag.1.Key"], "Branch");
  EXPECT_EQ(tags["Tag.1.Value"], "main");
  EXPECT_EQ(tags["Tag.2.Key"], "Group");
  EXPECT_EQ(tags["Tag.2.Value"], "hoist");
  EXPECT_EQ(tags["Tag.3.Key"], "Name");
  EXPECT_EQ(tags["Tag.3.Value"], "hoist-build-lib");
  // The pipeline run: outside CI, one of this hoist process's own.
  EXPECT_EQ(tags["Tag.4.Key"], "Pipeline");
  EXPECT_EQ(tags["Tag.4.Value"].get<std::string>().rfind("local-", 0), 0u) << tags.dump();
  EXPECT_EQ(tags["Tag.5.Key"], "Run");
  ExpectAllTerminated();
  EXPECT_NE(run.err.find("terminated spot "), std::string::npos) << run.err;
}

// The Aztec scripts' cond_spot_run_tests ran a test script on a spot machine, where its docker
// commands (pull the project's image, run it, compose) used that machine's engine. A host job
// placed on a spot machine runs here with that engine as DOCKER_HOST; this process's own
// DOCKER_HOST names no engine (Env()), so docker answers only through the machine.
TEST_F(Spot, AHostJobRunsItsDockerCommandsOnTheSpotMachine) {
  ASSERT_EQ(Build({"--remote", "spot:4", "lib"}).exit_code, 0);
  const std::string image = registry.host() + "/t/lib:cache-" + testing::HashOf(repo.root(), "lib");
  ProcessSpec spec;
  spec.argv = {
      HOIST_BINARY,
      "--registry",
      registry.host() + "/t",
      "test",
      "lib",
      "--job",
      "e2e",
      "--host",
      "--remote",
      "spot:4",
      "--",
      "sh",
      "-c",
      "echo \"engine at $DOCKER_HOST\"; docker run --rm --network none " + image + " cat /lib.c"};
  spec.cwd = repo.root();
  spec.env = Env();
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  const std::string said = run->stdout_text + run->stderr_text;
  EXPECT_NE(said.find("engine at unix:///"), std::string::npos) << said;
  EXPECT_EQ(said.find("engine at unix:///nonexistent"), std::string::npos) << said;
  EXPECT_NE(said.find("int lib;"), std::string::npos) << said;
  // Its own machine, named for the job, ended like a build's.
  auto requests = ec2.Requests("CreateTags");
  bool named = false;
  for (const auto& tags : requests) named = named || tags["Tag.3.Value"] == "hoist-test-lib-e2e";
  EXPECT_TRUE(named) << requests.dump();
  ExpectAllTerminated();
  // A pass is recorded: the next run starts no machine.
  const size_t before = ec2.Requests("RequestSpotInstances").size();
  auto again = RunProcess(spec);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exit_code, 0) << again->stderr_text;
  EXPECT_EQ(ec2.Requests("RequestSpotInstances").size(), before);

  // A host job the manifest declares (a lint, say) stays here and takes no machine, with
  // --remote given for the project's image jobs too: only a command given with --host and
  // --remote asks for its docker commands to go elsewhere.
  repo.Write("build_manifest.yml",
             "lib:\n  buildDir: lib\n  tests:\n    lint:\n      command: \"test -f lib.c\"\n"
             "      host: true\n");
  repo.Commit("a lint");
  spec.argv = {HOIST_BINARY, "--registry", registry.host() + "/t", "test", "lib", "--job", "lint",
               "--remote",   "spot:4"};
  auto lint = RunProcess(spec);
  ASSERT_TRUE(lint.ok());
  EXPECT_EQ(lint->exit_code, 0) << lint->stdout_text << lint->stderr_text;
  EXPECT_EQ(ec2.Requests("RequestSpotInstances").size(), before);
}

TEST_F(Spot, FallsBackToOnDemandWhenSpotIsNotFulfilled) {
  ec2.Control(R"({"spot": "capacity-not-available"})");
  auto run = Build({"--remote", "spot:4", "lib"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(HasImage());
  EXPECT_NE(run.err.find("not fulfilled (capacity-not-available); falling back to on-demand"),
            std::string::npos)
      << run.err;
  auto actions = ec2.Actions();
  auto cancel = std::find(actions.begin(), actions.end(), "CancelSpotInstanceRequests");
  auto on_demand = std::find(actions.begin(), actions.end(), "RunInstances");
  ASSERT_NE(cancel, actions.end());
  ASSERT_NE(on_demand, actions.end());
  EXPECT_LT(cancel, on_demand);
  json launch = ec2.Requests("RunInstances")[0];
  EXPECT_EQ(launch["InstanceInitiatedShutdownBehavior"], "terminate");
  EXPECT_EQ(launch["InstanceType"], "c6a.xlarge");
  EXPECT_EQ(Base64Decode(launch["UserData"]), "#!/bin/sh\nshutdown -h +90\n");
  EXPECT_EQ(launch["TagSpecification.1.ResourceType"], "instance");
  ExpectAllTerminated();
}

TEST_F(Spot, AFailedOrInterruptedJobStillTerminatesItsMachine) {
  repo.Write("lib/Dockerfile", base + "RUN exit 3\n");
  repo.Commit("broken");
  auto failed = Build({"--remote", "spot:4", "lib"});
  EXPECT_EQ(failed.exit_code, 1);
  ExpectAllTerminated();

  // Ctrl-C in the middle of the build.
  repo.Write("lib/Dockerfile", base + "RUN echo build-running && sleep 60" + Nonce() + "\n");
  repo.Commit("slow");
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "--registry", registry.host() + "/t", "build", "--remote",
               "spot:4",     "lib"};
  spec.cwd = repo.root();
  spec.env = Env();
  auto running = std::async(std::launch::async, [&] { return RunProcess(spec); });
  WaitForLog("\nbuild-running");
  RunOk("/", {"pkill", "-INT", "-f",
              "^" + std::string(HOIST_BINARY) + " --registry " + registry.host()});
  ASSERT_EQ(running.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto result = running.get();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->exit_code, 130) << result->stderr_text;
  ExpectAllTerminated();
  EXPECT_EQ(ec2.Requests("TerminateInstances").size(), 2u);
}

TEST_F(Spot, AnInterruptedSpotMachineIsReplacedOnDemand) {
  repo.Write("lib/Dockerfile", base + "RUN echo build-running && sleep 4" + Nonce() + "\n");
  repo.Commit("slowish");
  auto running = std::async(std::launch::async, [&] {
    return Build({"--remote", "spot:4", "lib"});
  });
  WaitForLog("\nbuild-running");
  // EC2 takes the machine back: it ends, and so does its SSH connection.
  std::string instance;
  const json state = ec2.State();
  for (const auto& [id, item] : state["instances"].items()) instance = id;
  ec2.Control(R"({"instance_id": ")" + instance + R"("})", "/_interrupt");
  sshd.DropConnections();
  ASSERT_EQ(running.wait_for(std::chrono::seconds(120)), std::future_status::ready);
  HoistRun run = running.get();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("was interrupted by EC2 (Server.SpotInstanceTermination)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("retrying on an on-demand machine"), std::string::npos);
  EXPECT_EQ(ec2.Requests("RunInstances").size(), 1u);
  EXPECT_TRUE(HasImage());
  ExpectAllTerminated();
}

// Two pipelines of one branch (GitLab checks out detached) run the same job at once: neither
// takes the other's machine for its leftover.
TEST_F(Spot, ConcurrentPipelinesOfOneBranchLeaveEachOthersMachinesAlone) {
  repo.Write("lib/Dockerfile", base + "RUN echo build-running && sleep 4" + Nonce() + "\n");
  repo.Commit("slowish");
  repo.Git({"checkout", "--quiet", "--detach"});
  auto pipeline = [&](const std::string& id) {
    return std::vector<std::string>{"GITLAB_CI=true", "CI_PIPELINE_ID=" + id,
                                    "CI_COMMIT_REF_NAME=main", "CI_COMMIT_BRANCH=main"};
  };
  auto first = std::async(std::launch::async, [&] {
    return Build({"--remote", "spot:4", "--force", "lib"}, pipeline("101"));
  });
  WaitForLog("\nbuild-running");  // the first pipeline's machine is up and building
  HoistRun second = Build({"--remote", "spot:4", "--force", "lib"}, pipeline("102"));
  ASSERT_EQ(first.wait_for(std::chrono::seconds(120)), std::future_status::ready);
  HoistRun one = first.get();
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("terminating leftover"), std::string::npos) << second.err;
  // Two machines, each ended once, by the run that started it.
  json state = ec2.State();
  EXPECT_EQ(state["instances"].size(), 2u);
  EXPECT_EQ(ec2.Requests("TerminateInstances").size(), 2u);
  for (const auto& [id, instance] : state["instances"].items()) {
    EXPECT_EQ(instance["terminated_by"], "client") << id;
  }
  ExpectAllTerminated();
}

TEST_F(Spot, LeftoversAreEndedAndEveryWaitHasATimeout) {
  // A machine left by an earlier attempt of this pipeline's job that hoist could not clean up
  // (kill -9, a lost runner).
  const std::vector<std::string> pipeline = {"GITLAB_CI=true", "CI_PIPELINE_ID=4711",
                                             "CI_COMMIT_BRANCH=main"};
  ProcessSpec leftover;
  leftover.argv = {"/usr/bin/aws",
                   "--endpoint-url",
                   ec2.url(),
                   "--region",
                   "us-east-1",
                   "ec2",
                   "run-instances",
                   "--image-id",
                   "ami-0hoist",
                   "--instance-type",
                   "c6a.xlarge",
                   "--tag-specifications",
                   "ResourceType=instance,Tags=[{Key=Name,Value=hoist-build-lib},"
                   "{Key=Group,Value=hoist},{Key=Pipeline,Value=4711}]",
                   "--query",
                   "Instances[0].InstanceId",
                   "--output",
                   "text"};
  leftover.env = Env();
  auto started = RunProcess(leftover);
  ASSERT_TRUE(started.ok() && started->exit_code == 0) << started->stderr_text;
  std::string id = started->stdout_text.substr(0, started->stdout_text.find('\n'));
  // The same name in another pipeline (the same branch) is that pipeline's running job: left
  // alone. One past spot.lifetimeMinutes (90, and 10 minutes for its boot) is a leftover whoever
  // started it.
  leftover.argv[12] =
      "ResourceType=instance,Tags=[{Key=Name,Value=hoist-build-lib},"
      "{Key=Group,Value=hoist},{Key=Pipeline,Value=4712},{Key=Branch,Value=main}]";
  auto other = RunProcess(leftover);
  ASSERT_TRUE(other.ok() && other->exit_code == 0) << other->stderr_text;
  std::string others = other->stdout_text.substr(0, other->stdout_text.find('\n'));
  auto old = RunProcess(leftover);
  ASSERT_TRUE(old.ok() && old->exit_code == 0) << old->stderr_text;
  std::string expired = old->stdout_text.substr(0, old->stdout_text.find('\n'));
  ec2.Control(R"({"instance_id": ")" + expired + R"(", "seconds": 6060})", "/_age");

  // The machine never leaves pending: the boot wait ends it, and the job fails.
  ec2.Control(R"({"pending_delay": 600})");
  WriteConfig(2, 3);
  auto run = Build({"--remote", "spot:4", "lib"}, pipeline);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("terminating leftover machine " + id +
                         " (hoist-build-lib, an earlier attempt of this pipeline)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("terminating leftover machine " + expired +
                         " (hoist-build-lib, past spot.lifetimeMinutes)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("still pending after 3 s"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(others), std::string::npos) << run.err;
  json state = ec2.State();
  const std::string other_state = state["instances"][others]["state"];
  EXPECT_TRUE(other_state == "running" || other_state == "pending") << other_state;
  EXPECT_EQ(state["instances"][id]["state"], "terminated");
  EXPECT_EQ(state["instances"][expired]["state"], "terminated");
  for (const auto& [instance, item] : state["instances"].items()) {
    const std::string now = item["state"];
    if (instance != others) {
      EXPECT_TRUE(now == "terminated" || now == "shutting-down") << instance << " " << now;
    }
  }

  // Sizes and prices that are not there.
  auto size = Build({"--remote", "spot:64", "lib"});
  EXPECT_EQ(size.exit_code, 1);
  EXPECT_NE(size.err.find("hoist.yml spot.sizes has no launch spec for 64 CPUs (it has 4)"),
            std::string::npos)
      << size.err;
  repo.Write("hoist.yml", sshd.HoistYmlSsh() + "spot:\n  sizes:\n    4: {instanceType: x}\n");
  auto spec = Build({"--remote", "spot:4", "lib"});
  EXPECT_EQ(spec.exit_code, 1);
  EXPECT_NE(spec.err.find("spot.sizes.4 needs instanceType and imageId"), std::string::npos)
      << spec.err;
}

}  // namespace
}  // namespace hoist
