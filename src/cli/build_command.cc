#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/build_output.h"
#include "cli/commands.h"
#include "docker/docker_builder.h"
#include "machines/placement.h"
#include "run/scheduler.h"
#include "source/affected.h"
#include "source/content_hash.h"
#include "stages/project_build.h"
#include "util/subprocess.h"
#include "util/url.h"

namespace hoist {
namespace {

// Store questions in flight at once while deciding what to build.
constexpr size_t kParallelDecisions = 8;
constexpr int kExitInterrupted = 130;

struct Options {
  std::vector<std::string> projects;
  bool all = false;
  std::string affected_base;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool fail_fast = false;
  bool force = false;
  bool dry_run = false;
  bool allow_dirty = false;
  std::string network = "none";
  std::string platform;
  std::string commit_tag;
  std::vector<std::string> remotes;
};

/// `[ci rebuild]` and `[ci rebuild <project>]` in the commit message, as the seed read them.
void ReadRebuildRequests(const std::string& message, BuildSettings& settings) {
  if (message.find("[ci rebuild]") != std::string::npos) settings.force = true;
  const std::string marker = "[ci rebuild ";
  for (size_t at = message.find(marker); at != std::string::npos;
       at = message.find(marker, at + 1)) {
    size_t end = message.find(']', at);
    if (end != std::string::npos) {
      settings.force_projects.push_back(
          message.substr(at + marker.size(), end - at - marker.size()));
    }
  }
}

/// Waits for SIGINT/SIGTERM on a thread of its own while a build runs, then stops it.
class InterruptWatch {
 public:
  explicit InterruptWatch(Scheduler& scheduler) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    thread_ = std::thread([this, &scheduler] {
      for (int signal = 0;;) {
        sigwait(&signals_, &signal);
        if (signal == SIGUSR1) return;
        if (interrupted_) _exit(kExitInterrupted);  // a second Ctrl-C: leave at once
        interrupted_ = true;
        scheduler.Interrupt();
        StopAllProcesses();
      }
    });
  }
  ~InterruptWatch() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
    // Signals that came after the watch ended must not kill us on unblocking.
    timespec zero{0, 0};
    while (sigtimedwait(&signals_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t signals_, previous_;
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

std::string OutcomeName(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kDone:
      return "built";
    case JobOutcome::kCached:
      return "cached";
    case JobOutcome::kFailed:
      return "failed";
    case JobOutcome::kSkipped:
      return "skipped";
    case JobOutcome::kInterrupted:
      return "interrupted";
  }
  return "?";
}

}  // namespace

void AddBuildCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "build", "Build the images of projects whose inputs changed, in dependency order");
  auto options = std::make_shared<Options>();
  command->add_option("PROJECT", options->projects, "Projects to build (with their dependencies)");
  command->add_flag("--all", options->all, "Build every project");
  command->add_option("--affected", options->affected_base, "Build the projects affected since REV")
      ->option_text("REV");
  command->add_option("-j,--jobs", options->jobs, "Builds at once (default: cores)")
      ->check(CLI::Range(1, 256));
  command->add_flag("--fail-fast", options->fail_fast, "Stop everything at the first failure");
  command->add_flag("--force", options->force, "Rebuild even what is cached");
  command->add_flag("--dry-run", options->dry_run, "Print what would be built and why");
  command->add_flag("--allow-dirty", options->allow_dirty,
                    "Push images of uncommitted changes to the registry");
  command
      ->add_option("--network", options->network,
                   "docker build --network (default: none, hermetic)")
      ->capture_default_str();
  command->add_option("--platform", options->platform, "docker build --platform");
  command->add_option("--commit-tag", options->commit_tag, "COMMIT_TAG build arg")
      ->envname("COMMIT_TAG");
  auto* jobs_option = command->get_option("--jobs");
  command
      ->add_option("--remote", options->remotes,
                   "Build elsewhere: ssh://[USER@]HOST[:PORT] (repeat for a pool, one job per "
                   "host), pool (hoist.yml remotes), spot:CPUS, or local; projects' own "
                   "remote: settings then apply")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->callback([&context, &exit_code, options, jobs_option] {
    const Manifest& manifest = context.manifest();
    const DependencyGraph& graph = context.graph();
    int ways = (!options->projects.empty()) + options->all + (!options->affected_base.empty());
    if (ways != 1) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: say what to build: PROJECT…, --all or --affected REV"};
    }
    std::vector<bool> selected(manifest.projects.size(), false);
    if (options->all) std::fill(selected.begin(), selected.end(), true);
    for (int p : context.SelectProjects(options->projects)) {
      if (!options->projects.empty()) selected[p] = true;
    }
    if (!options->affected_base.empty()) {
      auto report = FindAffected(manifest, graph, context.patterns(), context.repo(),
                                 options->affected_base, "HEAD", false);
      if (!report) throw CommandFailure{kExitFailure, "hoist: error: " + report.error().message};
      for (const auto& entry : report->projects) selected[entry.project] = true;
    }
    // A project needs its dependencies' images: they are part of the run (cached if present).
    for (size_t p = 0; p < selected.size(); ++p) {
      if (!selected[p]) continue;
      for (int d : graph.TransitiveDependencies(static_cast<int>(p))) selected[d] = true;
    }
    auto order = graph.TopologicalOrder(selected);
    if (!order) throw CommandFailure{kExitFailure, "hoist: error: " + order.error().message};

    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes = HashProjects(manifest, graph, context.patterns(), snapshot, HashScheme::kV1,
                               options->platform);

    const GitRepository& repo = context.repo();
    BuildSettings settings;
    settings.network = options->network;
    settings.platform = options->platform;
    settings.force = options->force;
    settings.allow_dirty = options->allow_dirty;
    settings.commit = snapshot.commit();
    settings.commit_tag = options->commit_tag;
    settings.branch = repo.Output({"rev-parse", "--abbrev-ref", "HEAD"});
    settings.source_url =
        UrlWithoutCredentials(repo.Output({"config", "--get", "remote.origin.url"}));
    ReadRebuildRequests(repo.Output({"log", "-1", "--format=%B"}), settings);

    ImageStore& store = context.Store();
    DockerBuilder builder;
    const HoistConfig no_config;
    auto placement = PlaceJobs(manifest, options->remotes,
                               options->remotes.empty() ? no_config : context.config(), *order);
    if (!placement) throw CommandFailure{kExitUsage, "hoist: error: " + placement.error().message};
    bool any_local = false, any_remote = false;
    for (int p : *order) {
      ((*placement)[p] == "local" ? any_local : any_remote) = true;
    }
    if (any_remote && store.InEngine()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: --remote needs a registry (--registry or "
                           "HOIST_REGISTRY): remote engines push their images there and pull "
                           "their dependencies from there"};
    }
    if ((!options->dry_run && any_local) || store.InEngine()) {
      auto engine = builder.Check();
      if (!engine) throw CommandFailure{kExitFailure, "hoist: error: " + engine.error().message};
    }
    auto machines =
        MakeMachinePool(builder, options->jobs, options->remotes,
                        options->remotes.empty() ? no_config : context.config(), settings.branch);
    if (!machines) throw CommandFailure{kExitUsage, "hoist: error: " + machines.error().message};
    // One job per machine: as many at once as there are jobs (the pools hold them back).
    if (any_remote && jobs_option->count() == 0) {
      options->jobs = std::max<int>(static_cast<int>(order->size()), 1);
    }
    BuildEnvironment env{manifest, graph, hashes, repo, store, builder, settings, ""};
    if (std::filesystem::exists(repo.root() + "/.gitmodules")) {
      auto status = repo.Run({"submodule", "status"});
      if (status) env.submodule_status = *status;
    }

    // Decide everything up front, many questions at once.
    std::vector<std::string> names;
    for (int p : *order) names.push_back(manifest.projects[p].name);
    auto prepared = store.Prepare(names);
    if (!prepared) throw CommandFailure{kExitFailure, "hoist: error: " + prepared.error().message};
    std::vector<std::optional<BuildDecision>> decisions(manifest.projects.size());
    std::vector<std::string> decision_errors(manifest.projects.size());
    {
      std::atomic<size_t> next{0};
      std::vector<std::thread> threads;
      for (size_t t = 0; t < std::min(order->size(), kParallelDecisions); ++t) {
        threads.emplace_back([&] {
          for (size_t i; (i = next++) < order->size();) {
            int p = (*order)[i];
            auto decision = DecideBuild(env, p);
            if (decision) {
              decisions[p] = *decision;
            } else {
              decision_errors[p] = decision.error().message;
            }
          }
        });
      }
      for (auto& thread : threads) thread.join();
    }

    if (options->dry_run) {
      nlohmann::json plan = nlohmann::json::array();
      for (int p : *order) {
        const std::string& name = manifest.projects[p].name;
        std::string action = !decision_errors[p].empty() ? "error"
                             : decisions[p]->build       ? "build"
                                                         : "cached";
        std::string why = decision_errors[p].empty() ? decisions[p]->reason : decision_errors[p];
        if (context.json) {
          plan.push_back(
              {{"project", name}, {"action", action}, {"reason", why}, {"hash", hashes[p].hash}});
        } else {
          std::printf("%-7s %-32s %s\n", action.c_str(), name.c_str(), why.c_str());
        }
      }
      if (context.json) std::cout << plan.dump(2) << "\n";
      exit_code = kExitOk;
      for (int p : *order) {
        if (!decision_errors[p].empty()) exit_code = kExitFailure;
      }
      return;
    }

    std::vector<std::string> all_names = manifest.Names();
    // The watch blocks SIGINT/SIGTERM first, so every thread made after it (the status line's
    // ticker, the workers) leaves them to the watch.
    Scheduler scheduler(graph, {options->jobs, options->fail_fast, [] { StopAllProcesses(); }});
    InterruptWatch interrupts(scheduler);
    BuildOutput output(all_names, order->size(), repo.root() + "/.hoist/logs", false);
    auto results = scheduler.Run(
        *order,
        [&](int p) -> JobResult {
          if (!decision_errors[p].empty()) return {JobOutcome::kFailed, decision_errors[p]};
          if (!decisions[p]->build) return {JobOutcome::kCached, decisions[p]->reason};
          auto say = [&](const std::string& line) { output.Line(p, line); };
          const std::string& name = manifest.projects[p].name;
          auto built = RunOnMachine(**machines, (*placement)[p], "build-" + name,
                                    "the build did not finish and nothing was tagged", say,
                                    [&](BuildMachine& machine, ImageBuilder& machine_builder) {
                                      say("hoist: building " + name + " on " + machine.Describe() +
                                          " (" + decisions[p]->reason + ")");
                                      BuildEnvironment job_env{env.manifest, env.graph,
                                                               env.hashes,   env.repo,
                                                               env.store,    machine_builder,
                                                               env.settings, env.submodule_status};
                                      return BuildProject(job_env, p, *decisions[p], say);
                                    });
          if (!built) return {JobOutcome::kFailed, built.error().message};
          return {JobOutcome::kDone, decisions[p]->reason};
        },
        [&](const JobEvent& event) { output.Event(event); });
    output.Finish();

    // The summary: what happened to each project.
    exit_code = kExitOk;
    nlohmann::json summary = nlohmann::json::array();
    size_t built = 0, cached = 0, failed = 0;
    if (!context.json) std::printf("%-32s %-12s %-14s %s\n", "PROJECT", "RESULT", "HASH", "IMAGE");
    for (size_t i = 0; i < order->size(); ++i) {
      int p = (*order)[i];
      const JobResult& result = results[i];
      std::string image = store.Reference(manifest.projects[p].name, CacheTag(hashes[p].hash));
      bool has_image = result.outcome == JobOutcome::kDone || result.outcome == JobOutcome::kCached;
      built += result.outcome == JobOutcome::kDone;
      cached += result.outcome == JobOutcome::kCached;
      failed += !has_image;
      if (context.json) {
        summary.push_back({{"project", manifest.projects[p].name},
                           {"result", OutcomeName(result.outcome)},
                           {"hash", hashes[p].hash},
                           {"image", has_image ? image : ""},
                           {"reason", result.message}});
      } else {
        std::printf("%-32s %-12s %-14s %s\n", manifest.projects[p].name.c_str(),
                    OutcomeName(result.outcome).c_str(), hashes[p].hash.substr(0, 12).c_str(),
                    has_image ? image.c_str() : "-");
      }
    }
    if (context.json) {
      std::cout << nlohmann::json{{"store", store.Describe()},
                                  {"builder", builder.Describe()},
                                  {"projects", summary}}
                       .dump(2)
                << "\n";
    }
    std::fflush(stdout);
    std::fprintf(stderr, "hoist: %zu built, %zu cached, %zu failed or skipped; logs in %s\n", built,
                 cached, failed, (repo.root() + "/.hoist/logs").c_str());
    if (failed > 0) exit_code = kExitFailure;
    if (interrupts.interrupted()) exit_code = kExitInterrupted;
  });
}

}  // namespace hoist
