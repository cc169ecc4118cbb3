#include <algorithm>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/build_output.h"
#include "cli/commands.h"
#include "cli/commit_keyed_tags.h"
#include "cli/input_changes.h"
#include "cli/run_report.h"
#include "docker/docker_builder.h"
#include "source/affected.h"
#include "stages/build_stage.h"
#include "stages/recorded_inputs.h"
#include "stages/stage_machines.h"

namespace hoist {
namespace {

struct Options {
  std::vector<std::string> projects;
  bool all = false;
  std::string affected_base;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool fail_fast = false, force = false, dry_run = false, allow_dirty = false;
  std::string network, platform, commit_tag;
  std::string summary = "changed";
  std::string report;
  std::vector<std::string> remotes;
};

/// The projects named, all, or affected since a revision (indexed like manifest.projects).
std::vector<bool> Selected(CommandContext& context, const Options& options) {
  int ways = (!options.projects.empty()) + options.all + (!options.affected_base.empty());
  if (ways != 1) {
    throw CommandFailure{kExitUsage,
                         "hoist: error: say what to build: PROJECT…, --all or --affected REV"};
  }
  std::vector<bool> selected(context.manifest().projects.size(), options.all);
  if (!options.projects.empty()) {
    for (int p : context.SelectProjects(options.projects)) selected[p] = true;
  }
  if (!options.affected_base.empty()) {
    auto report = FindAffected(context.manifest(), context.graph(), context.patterns(),
                               context.repo(), options.affected_base, "HEAD", false);
    if (!report) throw CommandFailure{kExitFailure, "hoist: error: " + report.error().message};
    for (const auto& entry : report->projects) selected[entry.project] = true;
  }
  return selected;
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
  auto* jobs_option =
      command->add_option("-j,--jobs", options->jobs, "Builds at once (default: cores)")
          ->check(CLI::Range(1, 256));
  command->add_flag("--fail-fast", options->fail_fast, "Stop everything at the first failure");
  command->add_flag("--force", options->force, "Rebuild even what is cached");
  command->add_flag("--dry-run", options->dry_run, "Print what would be built and why");
  command->add_flag("--allow-dirty", options->allow_dirty,
                    "Push images of uncommitted changes to the registry");
  command
      ->add_option("--network", options->network,
                   "docker build --network: none, host, … (default: hoist.yml build.network, else "
                   "the engine's default)")
      ->envname("HOIST_NETWORK");
  command->add_option("--platform", options->platform, "docker build --platform");
  command
      ->add_option("--summary", options->summary,
                   "changed: a row for each project that was not cached (default); full: every "
                   "project")
      ->check(CLI::IsMember({"changed", "full"}))
      ->option_text("WHICH");
  command
      ->add_option("--report", options->report,
                   "Write a report of the run: FILE.html (the graph, a timeline, why each "
                   "rebuilt) and FILE.json beside it")
      ->option_text("FILE");
  command->add_option("--commit-tag", options->commit_tag, "COMMIT_TAG build arg")
      ->envname("COMMIT_TAG");
  AddRemoteOption(*command, options->remotes, "Build elsewhere");
  auto compat = AddCompatOption(*command);
  command->callback([&context, &exit_code, options, jobs_option, compat] {
    context.compat = *compat;
    CheckReportPath(options->report, options->dry_run);
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    context.ApplyScheme(snapshot_options);
    context.BeginSnapshot(snapshot_options);  // while the manifest is parsed
    auto order = BuildOrder(context.graph(), Selected(context, *options));
    if (!order) throw CommandFailure{kExitFailure, "hoist: error: " + order.error().message};
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    context.commit_tag_override = options->commit_tag;
    auto hashes = context.Hashes(snapshot, context.scheme(), options->platform);
    const PipelineFacts& facts = context.facts();
    BuildSettings settings{
        options->network.empty() ? context.config().build_network : options->network,
        options->platform,
        options->force,
        {},
        options->allow_dirty,
        snapshot.commit(),
        context.CommitTag(),
        facts.branch,
        facts.repository_url};
    settings.aztec = !context.compat.empty();
    ReadRebuildRequests(context.repo().Output({"log", "-1", "--format=%B"}), settings);
    ImageStore& store = options->dry_run ? context.ReadStore() : context.Store();
    DockerBuilder builder;
    auto machines = PrepareMachines(context.manifest(), *order, store, builder,
                                    {options->remotes,
                                     &context.config(),
                                     options->jobs,
                                     jobs_option->count() > 0,
                                     order->size(),
                                     {facts.run_id, facts.branch}});
    if (!machines) throw CommandFailure{kExitUsage, "hoist: error: " + machines.error().message};
    auto check_engine = [&] {
      auto engine = builder.Check();
      if (!engine) throw CommandFailure{kExitFailure, "hoist: error: " + engine.error().message};
    };
    if (store.InEngine()) check_engine();
    for (int p : *order) {  // multiarch: host decides per architecture (the local engine's)
      if (context.manifest().projects[p].multiarch != "host" || !machines->any_local) continue;
      if (!store.InEngine() && !options->dry_run) check_engine();
      auto arch = builder.Architecture();
      if (arch) settings.arch = *arch;
      // The Aztec build system named architectures as `uname -m` does, arm64 aside.
      if (!context.compat.empty() && settings.arch == "amd64") settings.arch = "x86_64";
      break;
    }
    BuildEnvironment env{context.manifest(),
                         context.graph(),
                         hashes,
                         context.repo(),
                         store,
                         builder,
                         settings,
                         context.SubmoduleStatus(),
                         &snapshot,
                         &context.patterns(),
                         &context.Bases(snapshot)};
    // The store readied once for every decision (PrepareStore). What an engine's listing says
    // serves the plan only: builds tag images behind the store's back.
    // Refusals that need no store (uncommitted inputs bound for a registry) are said whether
    // or not the store answers.
    const bool asks_store = std::any_of(order->begin(), order->end(),
                                        [&](int p) { return LocalRefusal(env, p).empty(); });
    // Files a COPY takes that no pattern covers: for every project, a cached one too (such a
    // file changes nothing in the hash, so a cached image can be the stale one). Listing them
    // walks the build directories again; it runs while the store answers the decisions.
    (void)context.patterns();  // made before the thread reads them
    (void)context.repo();
    auto uncovered = std::async(
        std::launch::async, [&context, order = *order] { return context.UncoveredInputs(order); });
    auto warn_uncovered = [&] {
      for (const auto& input : uncovered.get()) {
        Warn(DescribeUncoveredInput(context.manifest(), input));
      }
    };
    auto prepared = asks_store ? PrepareStore(store, context.manifest(), *order) : Ok();
    if (!prepared) {
      warn_uncovered();  // what to mend in the Dockerfiles, whatever the store says
      throw CommandFailure{kExitFailure, "hoist: error: " + prepared.error().message};
    }
    // --compat aztec-2023-02: an image the 2023-02 scripts tagged with an earlier commit is
    // this hash's when the hash was the same there.
    auto commit_tags = options->dry_run ? nullptr
                                        : CommitKeyedTags(context, store, hashes, snapshot.commit(),
                                                          options->platform);
    std::vector<KeyedTag> images;  // each project's image, in the order of the jobs
    for (int p : *order) images.push_back({p, ""});
    if (asks_store) ReuseCommitTags(commit_tags.get(), images);
    BuildPlan plan = PlanBuild(env, *order);
    store.Forget();
    warn_uncovered();
    // The engine is asked for only when something is built here: a CI job whose images are
    // all in the registry has nothing to do, Docker or not.
    bool builds_here = false;
    for (int p : *order) {
      builds_here = builds_here || (machines->placement[p] == "local" && plan.decisions[p] &&
                                    plan.decisions[p]->build);
    }
    if (!options->dry_run && builds_here && !store.InEngine()) check_engine();
    // "no image cache-…" answered to the file, for the dry run and the report: what changed
    // since the nearest commit whose hash has an image (or the branch's last build, as recorded
    // in the store). Asked before the builds move the branch's record.
    std::map<int, nlohmann::json> since;
    if (options->dry_run || !options->report.empty()) {
      std::optional<Side> now;
      std::map<std::string, Side> sides;
      for (int p : *order) {
        if (!plan.errors[p].empty() || !plan.decisions[p]->build ||
            plan.decisions[p]->reason.rfind("no image", 0) != 0) {
          continue;
        }
        if (!now) now = TakeSide(context, snapshot_options, options->platform, {});
        since[p] = ChangesSinceLastImage(context, store, *now, p, options->platform, settings.arch,
                                         settings.branch, sides);
      }
    }
    if (options->dry_run) {
      exit_code = PrintBuildPlan(context, env, plan, since);
      return;
    }
    // What each hash built here is made of, recorded with its build (not in the local engine,
    // whose images no other machine reads).
    std::vector<std::string> recorded(context.manifest().projects.size());
    if (!store.InEngine()) {
      const InjectedArgs injected = context.Injected(snapshot);
      const BaseImages& bases = context.Bases(snapshot).inputs();
      for (int p : *order) {
        if (!plan.decisions[p] || !plan.decisions[p]->build) continue;
        recorded[p] = RecordedInputsJson(CollectHashInputs(context.manifest(), context.graph(),
                                                           context.patterns(), snapshot, p, hashes,
                                                           options->platform, &injected, &bases));
      }
    }
    env.recorded_inputs = &recorded;
    auto jobs = BuildJobs(env, plan, machines->placement);
    JobRunner runner(machines->pool.get(), {machines->jobs, options->fail_fast});
    BuildOutput output(JobNames(jobs), jobs.size(), context.LogDirectory(), false);
    auto results = runner.Run(
        jobs, [&](JobScope& scope) { return RunBuildJob(env, plan, scope); }, output);
    output.Finish();
    RunRecord record = BuildRunRecord(env, plan, jobs, results, output);
    record.builder = builder.Describe();
    for (size_t i = 0; i < jobs.size(); ++i) {
      auto found = since.find(plan.order[i]);
      if (found != since.end()) record.jobs[i].why = found->second;
    }
    exit_code = PrintRunSummary(context, record, options->summary == "full");
    // Each image made or found is also the commit's, as the scripts named it.
    if (!KeepCommitTags(commit_tags.get(), images, results)) exit_code = kExitFailure;
    // A key the manifest ignored (said first, long scrolled away) is often why a build fails.
    for (const auto& job : record.jobs) {
      if (job.outcome != JobOutcome::kFailed) continue;
      for (const auto& warning : context.ManifestWarningsAbout(job.project)) {
        std::cerr << "hoist: " << job.name << " failed; its manifest entry has a key hoist "
                  << "ignores:\n"
                  << warning << "\n";
      }
    }
    ReportRun(record, options->report);
  });
}

}  // namespace hoist
