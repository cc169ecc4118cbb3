#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/build_output.h"
#include "cli/commands.h"
#include "docker/docker_builder.h"
#include "machines/placement.h"
#include "source/content_hash.h"
#include "stages/test_job.h"

namespace hoist {
namespace {

struct Options {
  std::vector<std::string> projects;
  bool all = false;
  std::string job;
  bool host = false;
  bool force = false;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> command;
  std::vector<std::string> remotes;
};

struct PlannedJob {
  int project;
  TestJob job;
  std::string result = "?";
  std::string detail;
};

}  // namespace

void AddTestCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "test",
      "Run test jobs whose inputs changed: skipped when a pass is recorded for the "
      "content hash and the same job definition");
  auto options = std::make_shared<Options>();
  command->add_option("PROJECT", options->projects, "Projects whose jobs to run");
  command->add_flag("--all", options->all, "Every declared job of every project");
  command->add_option("--job", options->job, "The job (declared in tests:, or given after --)");
  command->add_flag("--host", options->host, "Run a given command on this machine, in projectDir");
  command->add_flag("--force", options->force, "Run even when a pass is recorded");
  auto* jobs_option =
      command->add_option("-j,--jobs", options->jobs, "Jobs at once")->check(CLI::Range(1, 256));
  command
      ->add_option("--remote", options->remotes,
                   "Run the jobs in their images elsewhere, as hoist build --remote: "
                   "ssh://[USER@]HOST[:PORT] (repeat for a pool), pool, spot:CPUS or local")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->callback([&context, &exit_code, options, jobs_option] {
    const Manifest& manifest = context.manifest();
    options->command = context.trailing_command;  // hoist test P --job J -- COMMAND…
    std::vector<PlannedJob> planned;
    if (!options->command.empty()) {
      if (options->projects.size() != 1 || options->job.empty()) {
        throw CommandFailure{kExitUsage,
                             "hoist: error: a command given after -- needs one "
                             "PROJECT and --job NAME"};
      }
      TestJob job{options->job, options->command, options->host};
      planned.push_back({context.ProjectIndex(options->projects[0]), job});
    } else {
      if (options->projects.empty() && !options->all) {
        throw CommandFailure{kExitUsage,
                             "hoist: error: say which jobs: PROJECT… [--job NAME], --all, or "
                             "PROJECT --job NAME -- COMMAND…"};
      }
      for (int p : context.SelectProjects(options->projects)) {
        for (const auto& job : manifest.projects[p].tests) {
          if (options->job.empty() || job.name == options->job) planned.push_back({p, job});
        }
        if (!options->job.empty() && !options->projects.empty() &&
            std::none_of(manifest.projects[p].tests.begin(), manifest.projects[p].tests.end(),
                         [&](const TestJob& j) { return j.name == options->job; })) {
          throw CommandFailure{kExitFailure, "hoist: error: project '" + manifest.projects[p].name +
                                                 "' declares no test job '" + options->job +
                                                 "' (give its command after --)"};
        }
      }
    }

    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes =
        HashProjects(manifest, context.graph(), context.patterns(), snapshot, HashScheme::kV1);
    ImageStore& store = context.Store();
    DockerBuilder builder;
    std::vector<int> projects;
    for (const auto& item : planned) projects.push_back(item.project);
    const HoistConfig no_config;
    const HoistConfig& config = options->remotes.empty() ? no_config : context.config();
    auto placement = PlaceJobs(manifest, options->remotes, config, projects);
    if (!placement) throw CommandFailure{kExitUsage, "hoist: error: " + placement.error().message};
    if (!options->remotes.empty() && store.InEngine()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: --remote needs a registry (--registry or "
                           "HOIST_REGISTRY): remote engines pull the images to test from there"};
    }
    auto machines = MakeMachinePool(builder, options->jobs, options->remotes, config, "");
    if (!machines) throw CommandFailure{kExitUsage, "hoist: error: " + machines.error().message};
    if (!options->remotes.empty() && jobs_option->count() == 0) {
      options->jobs = std::max<int>(static_cast<int>(planned.size()), 1);
    }
    std::vector<std::string> names;
    for (const auto& item : planned) {
      names.push_back(manifest.projects[item.project].name + "-" + item.job.name);
    }
    const std::string root = context.repo().root();
    BuildOutput output(names, planned.size(), root + "/.hoist/logs", false);
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < planned.size();) {
        PlannedJob& item = planned[i];
        const Project& project = manifest.projects[item.project];
        const ProjectHash& hash = hashes[item.project];
        auto started = std::chrono::steady_clock::now();
        auto finish = [&](JobOutcome outcome, const std::string& result,
                          const std::string& detail) {
          item.result = result;
          item.detail = detail;
          output.Event({JobEvent::Kind::kFinished,
                        static_cast<int>(i),
                        {outcome, detail},
                        std::chrono::steady_clock::now() - started});
        };
        output.Event({JobEvent::Kind::kStarted, static_cast<int>(i), {}, {}});
        if (!hash.error.empty()) {
          finish(JobOutcome::kFailed, "failed", hash.error);
          continue;
        }
        if (!options->force) {
          auto pass = FindTestPass(store, project.name, hash.hash, item.job);
          if (!pass) {
            finish(JobOutcome::kFailed, "failed", pass.error().message);
            continue;
          }
          if (*pass) {
            finish(JobOutcome::kCached, "passed before",
                   "passed at " + (*pass)->time + " at commit " + (*pass)->commit.substr(0, 12));
            continue;
          }
        }
        auto say = [&](const std::string& line) { output.Line(static_cast<int>(i), line); };
        const std::string directory = root + "/" + project.project_dir;
        auto ran =
            item.job.host
                ? RunTestJob(store, builder, project.name, hash.hash, item.job, directory, say)
                : RunOnMachine(**machines, (*placement)[item.project],
                               "test-" + project.name + "-" + item.job.name,
                               "the job did not finish and no pass was recorded", say,
                               [&](BuildMachine& machine, ImageBuilder& machine_builder) {
                                 say("hoist: running on " + machine.Describe());
                                 return RunTestJob(store, machine_builder, project.name, hash.hash,
                                                   item.job, directory, say);
                               });
        if (!ran) {
          finish(JobOutcome::kFailed, "failed", ran.error().message);
          continue;
        }
        // A pass is recorded only for committed inputs: a dirty tree's hash is nobody's.
        if (hash.dirty) {
          finish(JobOutcome::kDone, "passed", "not recorded: uncommitted changes");
          continue;
        }
        auto recorded = RecordTestPass(store, project.name, hash.hash, snapshot.commit(), item.job);
        finish(recorded ? JobOutcome::kDone : JobOutcome::kFailed, recorded ? "passed" : "failed",
               recorded ? "" : recorded.error().message);
      }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::min<int>(options->jobs, static_cast<int>(planned.size())); ++t) {
      threads.emplace_back(worker);
    }
    for (auto& thread : threads) thread.join();
    output.Finish();

    exit_code = kExitOk;
    nlohmann::json summary = nlohmann::json::array();
    if (!context.json) std::printf("%-40s %-14s %s\n", "JOB", "RESULT", "DETAIL");
    for (const auto& item : planned) {
      std::string name = manifest.projects[item.project].name + " " + item.job.name;
      if (item.result == "failed") exit_code = kExitFailure;
      if (context.json) {
        summary.push_back({{"project", manifest.projects[item.project].name},
                           {"job", item.job.name},
                           {"result", item.result},
                           {"detail", item.detail}});
      } else {
        std::printf("%-40s %-14s %s\n", name.c_str(), item.result.c_str(), item.detail.c_str());
      }
    }
    if (context.json) std::cout << summary.dump(2) << "\n";
  });
}

}  // namespace hoist
