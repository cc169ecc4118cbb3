// `hoist ci plan` and `hoist ci job`: the plan job of an affected-only pipeline decides from
// the registry which build and test jobs run, and a matrix job runs one of them by its id.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ci/ci_dynamic.h"
#include "cli/ci_flags.h"
#include "cli/commands.h"
#include "docker/docker_builder.h"
#include "stages/build_stage.h"
#include "stages/ci_plan.h"
#include "stages/deploy.h"
#include "stages/pipeline_env.h"
#include "stages/trust.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

/// The pipeline's jobs for these options (their ids and hoist arguments are the same for every
/// vendor; GitHub's when none is given).
std::vector<CiJob> PipelineJobs(CommandContext& context, const CiFlags& flags,
                                const CiOptions& settings) {
  const CiVendor vendor = flags.vendor.empty() ? CiVendor::kGithub : *ParseCiVendor(flags.vendor);
  auto jobs = PlanCiJobs(vendor, context.manifest(), context.graph(), settings);
  if (!jobs) throw CommandFailure{kExitFailure, "hoist: error: " + jobs.error().message};
  return *jobs;
}

/// Whether the deploy job runs, and why: on a ref that deploys, when jobs run before it or a
/// project's deploy is not done. Where hoist cannot tell, it runs and says why itself.
std::pair<bool, std::string> DecideDeploy(CommandContext& context, ImageStore& store,
                                          const std::vector<ProjectHash>& hashes, bool jobs_run) {
  if (context.registry.empty()) return {true, "no cache registry: the deploy job says why"};
  auto nothing = MayDeploy(context.facts(), context.config(), context.Tier());
  // A trusted run's deploy job shows the error (a setting to mend); an untrusted one has
  // nothing to deploy.
  if (!nothing) return {context.Tier().trusted, nothing.error().message};
  if (!nothing->empty()) return {false, *nothing};
  if (jobs_run) return {true, "after the jobs that run"};
  auto* cache = dynamic_cast<RegistryStore*>(&store);
  auto env = PipelineEnvironment(context.repo().root(), context.facts());
  if (!cache || !env) return {true, env ? "no cache registry" : env.error().message};
  std::string deploy_tag, commit;
  for (const auto& [name, value] : *env) {
    if (name == "DEPLOY_TAG") deploy_tag = value;
    if (name == "COMMIT_HASH") commit = value;
  }
  const Manifest& manifest = context.manifest();
  auto pending = PendingDeploys(*cache, manifest, hashes, context.repo(), commit, deploy_tag,
                                DeployedProjects(manifest, {}));
  if (!pending) return {true, pending.error().message};
  if (pending->empty()) return {false, "every project is deployed to " + deploy_tag};
  std::string names;
  for (int p : *pending) names += (names.empty() ? "" : ", ") + manifest.projects[p].name;
  return {true, "not deployed to " + deploy_tag + ": " + names};
}

}  // namespace

void AddCiPlanCommands(CLI::App& ci, CommandContext& context, int& exit_code) {
  auto* plan = ci.add_subcommand(
      "plan",
      "Say which build and test jobs of the pipeline must run: the plan job of an affected-only "
      "pipeline (ci generate --dynamic)");
  struct Options {
    CiFlags flags;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  options->flags.Add(*plan);
  plan->add_option("-o,--output", options->output,
                   "Write the vendor's form there (default: stdout): GitHub's step outputs, "
                   "GitLab's child pipeline, CircleCI's continuation request");
  plan->callback([&context, &exit_code, options] {
    if (options->flags.vendor == "circleci") {  // before any question to the registry
      const char* key = std::getenv("CIRCLE_CONTINUATION_KEY");
      if (!key || !*key) {
        throw CommandFailure{kExitFailure,
                             "hoist: error: CIRCLE_CONTINUATION_KEY is not set: ci plan --vendor "
                             "circleci runs in the setup workflow of a config with setup: true "
                             "(hoist ci generate --vendor circleci --dynamic)"};
      }
    }
    const CiOptions settings = options->flags.Settings(context);
    const std::vector<CiJob> jobs = PipelineJobs(context, options->flags, settings);
    const Manifest& manifest = context.manifest();
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes = context.Hashes(snapshot, HashScheme::kV1, "");
    const PipelineFacts& facts = context.facts();
    BuildSettings build_settings{context.config().build_network,
                                 "",
                                 false,
                                 {},
                                 false,
                                 snapshot.commit(),
                                 context.CommitTag(),
                                 facts.branch,
                                 facts.repository_url};
    ReadRebuildRequests(context.repo().Output({"log", "-1", "--format=%B"}), build_settings);
    ImageStore& store = context.ReadStore();
    DockerBuilder builder;
    if (store.InEngine()) {
      auto engine = builder.Check();
      if (!engine) throw CommandFailure{kExitFailure, "hoist: error: " + engine.error().message};
    }
    for (const auto& project : manifest.projects) {
      // As hoist build decides: the local engine's architecture, for builds placed here.
      if (project.multiarch != "host" || !settings.remote.empty() || !project.remote.empty()) {
        continue;
      }
      auto arch = builder.Architecture();  // the architecture the build jobs' engine has
      if (arch) build_settings.arch = *arch;
      break;
    }
    BuildEnvironment env{manifest,
                         context.graph(),
                         hashes,
                         context.repo(),
                         store,
                         builder,
                         build_settings,
                         context.SubmoduleStatus(),
                         &snapshot,
                         &context.patterns(),
                         &context.Bases(snapshot)};
    auto order = BuildOrder(context.graph(), std::vector<bool>(manifest.projects.size(), true));
    if (!order) throw CommandFailure{kExitFailure, "hoist: error: " + order.error().message};
    const BuildPlan build_plan = PlanBuild(env, *order);
    CiRunPlan run_plan;
    for (const auto& decision :
         DecideCiJobs(jobs, manifest, hashes, build_plan, store, context.repo().root())) {
      std::cerr << (decision.run ? "run  " : "skip ") << decision.id << ": " << decision.reason
                << "\n";
      if (decision.run) run_plan.run.push_back(decision.id);
    }
    run_plan.untrusted = !context.Tier().trusted;
    auto [deploy, why] = DecideDeploy(context, store, hashes, !run_plan.run.empty());
    run_plan.deploy = deploy;
    std::cerr << (deploy ? "run  " : "skip ") << "deploy: " << why << "\n";
    if (options->flags.vendor.empty()) {
      for (const auto& id : run_plan.run) std::cout << id << "\n";
      if (deploy) std::cout << "deploy\n";
      exit_code = kExitOk;
      return;
    }
    const CiVendor vendor = *ParseCiVendor(options->flags.vendor);
    std::string text = RenderCiPlan(vendor, jobs, run_plan, settings);
    if (vendor == CiVendor::kCircleCi) {
      // The request body of CircleCI's continuation API: the key of this setup workflow and
      // the config to continue with.
      text = nlohmann::json{{"continuation-key", std::getenv("CIRCLE_CONTINUATION_KEY")},
                            {"configuration", text}}
                 .dump() +
             "\n";
    }
    if (options->output.empty() || options->output == "-") {
      std::cout << text;
    } else {
      std::error_code ec;
      const std::filesystem::path path(options->output);
      if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
      std::ofstream out(path, std::ios::trunc);
      out << text;
      out.close();
      if (!out) throw CommandFailure{kExitFailure, "hoist: error: cannot write " + path.string()};
    }
    std::cerr << "hoist: " << run_plan.run.size() << " of " << jobs.size() - 2
              << " build and test jobs run" << (deploy ? ", then the deploy" : "") << "\n";
    exit_code = kExitOk;
  });

  auto* job = ci.add_subcommand(
      "job", "Run one build, test or deploy job of the pipeline by its id (as ci plan names it)");
  struct JobOptions {
    CiFlags flags;
    std::string id;
  };
  auto job_options = std::make_shared<JobOptions>();
  job_options->flags.Add(*job);
  job->add_option("ID", job_options->id, "The job's id, e.g. build-api or test-api-smoke")
      ->required();
  job->callback([&context, job_options] {
    const CiOptions settings = job_options->flags.Settings(context);
    const std::vector<CiJob> jobs = PipelineJobs(context, job_options->flags, settings);
    const CiJob* found = FindCiJob(jobs, job_options->id);
    if (!found || found->args.empty()) {
      std::string known;
      for (const auto& candidate : jobs) {
        if (!candidate.args.empty()) known += (known.empty() ? "" : ", ") + candidate.id;
      }
      throw CommandFailure{kExitUsage,
                           "hoist: error: the pipeline of " +
                               std::filesystem::path(context.manifest().file).filename().string() +
                               " has no job '" + job_options->id + "' (jobs: " + known + ")"};
    }
    // This very hoist, with the job's arguments, in place of this process: its output, exit
    // code and signals are the job's.
    // hoist's own options (--manifest, -C, --insecure-registry, …) come before `ci job`.
    std::vector<std::string> words = {"hoist"};
    const auto& given = context.command_line;
    for (size_t i = 0; i + 1 < given.size(); ++i) {
      if (given[i] == "ci" && given[i + 1] == "job") {
        words.insert(words.end(), given.begin(), given.begin() + static_cast<long>(i));
        break;
      }
    }
    words.insert(words.end(), found->args.begin(), found->args.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::cerr << "hoist ci job: " << FormatCommand(found->args) << "\n";
    std::cout.flush();
    std::cerr.flush();
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    execv("/proc/self/exe", argv.data());
    throw CommandFailure{
        kExitFailure, std::string("hoist: error: cannot run hoist again: ") + std::strerror(errno)};
  });
}

}  // namespace hoist
