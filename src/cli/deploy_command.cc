#include <re2/re2.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/build_output.h"
#include "cli/commands.h"
#include "cli/json_output.h"
#include "cli/run_report.h"
#include "docker/docker_builder.h"
#include "manifest/manifest_loader.h"
#include "stages/deploy.h"
#include "stages/trust.h"

namespace hoist {

void AddDeployCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "deploy", "Promote images and run deploy steps, only after the whole pipeline passed");
  auto projects = std::make_shared<std::vector<std::string>>();
  auto dry_run = std::make_shared<bool>(false);
  auto allow_rollback = std::make_shared<bool>(false);
  auto lease_wait = std::make_shared<int>(600);
  auto steps = std::make_shared<std::vector<std::string>>();
  auto channel = std::make_shared<std::string>();
  command->add_option("PROJECT", *projects, "Projects to deploy (default: those with deploy:)");
  command
      ->add_option("--step", *steps,
                   "A deploy step for this call, written as in deploy: (e.g. '{type: npm, "
                   "fromImage: /usr/src/lib}'; repeat for more), instead of the named projects' "
                   "own; nothing is promoted but what a registry step says")
      ->option_text("STEP");
  command
      ->add_option("--channel", *channel,
                   "With --step: what this call's deploys are recorded as, beside the deploy "
                   "tag (default: the steps' types, e.g. npm)")
      ->check(CLI::Validator(
          [](std::string& value) {
            static const RE2 kName("[a-z0-9][a-z0-9_-]{0,31}");
            return RE2::FullMatch(value, kName)
                       ? std::string()
                       : "a channel is 1 to 32 lowercase letters, digits, '_' or '-'";
          },
          "NAME"));
  auto compat = AddCompatOption(*command);
  command->add_flag("--dry-run", *dry_run, "Print the plan");
  command->add_flag("--allow-rollback", *allow_rollback,
                    "Deploy even a commit older than the one the deploy tag runs now");
  command
      ->add_option("--lease-wait", *lease_wait,
                   "Seconds to wait for another run's deploy to the same tag (default 600)")
      ->check(CLI::Range(0, 86400))
      ->option_text("SECONDS");
  command->callback([&context, &exit_code, compat, projects, dry_run, allow_rollback, lease_wait,
                     steps, channel] {
    context.compat = *compat;
    if (steps->empty() && !channel->empty()) {
      throw CommandFailure{kExitUsage, "hoist: error: --channel goes with --step"};
    }
    if (!steps->empty() && projects->empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: --step deploys the projects named: give PROJECT"};
    }
    // This call's steps in place of the named projects' own (checked as the manifest's are).
    Manifest manifest = context.manifest();
    std::string channel_name = *channel;
    if (!steps->empty()) {
      for (const auto& name : *projects) {
        Project& project = manifest.projects[context.ProjectIndex(name)];
        auto parsed = ParseDeploySteps(project, *steps);
        if (!parsed) {
          throw CommandFailure{kExitUsage, "hoist: error: --step: " + parsed.error().message};
        }
        project.deploy = *parsed;
        if (channel->empty()) {
          channel_name.clear();
          for (const auto& step : project.deploy) {
            channel_name += (channel_name.empty() ? "" : "-") + step.type;
          }
        }
      }
    }
    if (!context.registry.empty()) {
      // A per-call deploy of the Aztec build system's scripts runs where the CI config runs it
      // (its filters and should_deploy); trust alone decides whether it may. It fails closed:
      // the shims take its status as their gate.
      auto nothing = MayDeploy(context.facts(), context.config(), context.Tier(),
                               !context.compat.empty() && !projects->empty());
      if (!nothing) throw CommandFailure{kExitFailure, "hoist: error: " + nothing.error().message};
      if (!nothing->empty()) {
        std::cerr << "hoist: nothing to deploy: " << *nothing << "\n";
        exit_code = kExitOk;
        return;
      }
    }
    auto* cache = dynamic_cast<RegistryStore*>(&context.Store());
    if (!cache) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: deploy promotes from the cache registry; "
                           "give --registry HOST[/PREFIX] (or HOIST_REGISTRY)"};
    }
    RegistryStore& target = context.DeployStore();
    auto env = PipelineEnvironment(context.repo().root(), context.facts());
    if (!env) throw CommandFailure{kExitFailure, "hoist: error: " + env.error().message};
    if (!context.compat.empty()) {
      // Under the Aztec build system's scripts, setup_env's exports are the run's facts (its
      // COMMIT_TAG without the project prefix, its DEPLOY_TAG): the deploy follows them.
      for (auto& [name, value] : *env) {
        if (const char* exported = std::getenv(name.c_str())) value = exported;
      }
    }
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto wanted = context.repo().ResolveCommit(context.facts().commit);  // may say HEAD
    if (!wanted || snapshot.commit() != *wanted) {
      throw CommandFailure{kExitFailure, "hoist: error: not deploying: the checkout (HEAD " +
                                             snapshot.commit().substr(0, 12) +
                                             ") is not the commit this run is for (COMMIT_HASH " +
                                             context.facts().commit.substr(0, 12) +
                                             "); check out that commit, or run outside CI"};
    }
    auto hashes = context.Hashes(snapshot, context.scheme());
    DeployContext deploy{manifest,
                         hashes,
                         *cache,
                         target,
                         *env,
                         context.repo().root(),
                         [&context](const std::string& host) { return context.ClientFor(host); }};
    DockerBuilder engine;  // only npm steps with fromImage use it
    deploy.builder = &engine;
    deploy.repo = &context.repo();
    deploy.allow_rollback = *allow_rollback;
    deploy.lease_wait_seconds = *lease_wait;
    deploy.channel = channel_name;
    deploy.promote = steps->empty();
    std::vector<int> selected = DeployedProjects(
        manifest, projects->empty() ? std::vector<int>() : context.SelectProjects(*projects));
    // What the deploy would run, first: an edited step or script is named as such, even
    // where it also makes a project's hash dirty.
    auto uncommitted = UncommittedDeployInputs(context.repo(), manifest, selected);
    if (!uncommitted) {
      throw CommandFailure{kExitFailure, "hoist: error: " + uncommitted.error().message};
    }
    if (!uncommitted->empty()) {
      std::string list;
      for (const auto& item : *uncommitted) list += "\n  " + item;
      throw CommandFailure{kExitFailure,
                           "hoist: error: not deploying: deploys run committed steps only, and "
                           "these files they run or read are not committed (commit them, or "
                           "remove them):" +
                               list};
    }
    // The Aztec build system's deploy scripts were gated on what each call named (the CI
    // workflow ran them after the jobs they needed): so is a deploy under --compat aztec that
    // names its projects. Otherwise the whole pipeline must have passed.
    const bool per_call = !context.compat.empty() && !projects->empty();
    auto missing = MissingForDeploy(manifest, hashes, *cache, deploy.digests, context.repo().root(),
                                    per_call ? selected : std::vector<int>());
    if (!missing) throw CommandFailure{kExitFailure, "hoist: error: " + missing.error().message};
    if (!missing->empty()) {
      std::string list;
      for (const auto& item : *missing) list += "\n  " + item;
      throw CommandFailure{kExitFailure,
                           "hoist: error: not deploying: the pipeline has not fully passed for " +
                               snapshot.commit().substr(0, 12) + ":" + list};
    }
    auto jobs = DeployJobs(manifest, selected);
    JobRunner runner(nullptr, {1, false});
    BuildOutput output(JobNames(jobs), jobs.size(), context.LogDirectory(), false);
    auto results = runner.Run(
        jobs,
        [&](JobScope& scope) {
          return RunDeployJob(deploy, selected[scope.index()], *dry_run, scope);
        },
        output);
    output.Finish();

    exit_code = kExitOk;
    nlohmann::json summary = nlohmann::json::array();
    for (size_t i = 0; i < jobs.size(); ++i) {
      const bool failed =
          results[i].outcome != JobOutcome::kDone && results[i].outcome != JobOutcome::kCached;
      const std::string result = failed ? OutcomeName(results[i].outcome) : results[i].message;
      if (failed) {
        exit_code = kExitFailure;
        std::cerr << "hoist: error: " << results[i].message << "\n";
      }
      if (context.json) {
        summary.push_back({{"name", jobs[i].name},
                           {"project", jobs[i].name},
                           {"result", results[i].outcome == JobOutcome::kCached ? "cached"
                                      : failed                                  ? result
                                               : results[i].message},
                           {"reason", results[i].message}});
      } else {
        std::printf("%-32s %s\n", jobs[i].name.c_str(), result.c_str());
      }
    }
    if (context.json) PrintJson("deploy", {{"dryRun", *dry_run}, {"jobs", summary}});
    // In GitHub Actions, the job's summary says what was deployed.
    RunRecord record;
    record.command = "deploy";
    record.seconds = std::chrono::duration<double>(output.Elapsed()).count();
    const auto timeline = output.Timeline();
    for (size_t i = 0; i < jobs.size(); ++i) {
      RunRecord::Job job;
      job.name = jobs[i].name;
      job.project = jobs[i].name;
      job.outcome = results[i].outcome;
      job.result = results[i].outcome == JobOutcome::kCached ? "cached"
                   : results[i].outcome == JobOutcome::kDone ? results[i].message
                                                             : OutcomeName(results[i].outcome);
      job.reason = results[i].message;
      job.log = output.LogPath(i);
      job.times = timeline[i];
      record.jobs.push_back(std::move(job));
    }
    ReportRun(record, "");
  });
}

}  // namespace hoist
