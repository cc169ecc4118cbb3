#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/build_output.h"
#include "cli/commands.h"
#include "cli/commit_keyed_tags.h"
#include "cli/run_report.h"
#include "docker/docker_builder.h"
#include "stages/stage_machines.h"
#include "stages/test_stage.h"

namespace hoist {
namespace {

struct Options {
  std::vector<std::string> projects;
  bool all = false, host = false, force = false;
  std::string job;
  std::string compose, service;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> remotes;
  std::string report;
};

/// The jobs asked for: declared ones, or one command given after -- (hoist test P --job J -- …).
std::vector<PlannedTest> Planned(CommandContext& context, const Options& options) {
  const std::vector<std::string>& command = context.trailing_command;
  if (!options.compose.empty()) {
    if (options.projects.size() != 1 || options.job.empty() || options.host) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: --compose FILE needs one PROJECT and --job NAME (and "
                           "runs on the engine, not --host)"};
    }
    TestJob job{options.job, {}, false, options.compose, options.service, {}};
    for (const auto& variable : command) {
      const size_t equals = variable.find('=');
      if (equals == 0 || equals == std::string::npos) {
        throw CommandFailure{kExitUsage,
                             "hoist: error: after -- a compose job takes KEY=VALUE "
                             "environment for its file, not '" +
                                 variable + "'"};
      }
      job.environment.push_back(variable);
    }
    return {{context.ProjectIndex(options.projects[0]), job}};
  }
  if (!options.service.empty()) {
    throw CommandFailure{kExitUsage, "hoist: error: --service goes with --compose FILE"};
  }
  if (!command.empty()) {
    if (options.projects.size() != 1 || options.job.empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: a command given after -- needs one PROJECT and "
                           "--job NAME"};
    }
    return {{context.ProjectIndex(options.projects[0]),
             {options.job, command, options.host},
             options.host && !options.remotes.empty()}};
  }
  if (options.projects.empty() && !options.all) {
    throw CommandFailure{kExitUsage,
                         "hoist: error: say which jobs: PROJECT… [--job NAME], --all, or "
                         "PROJECT --job NAME -- COMMAND…"};
  }
  auto planned = PlanTests(context.manifest(), context.SelectProjects(options.projects),
                           !options.projects.empty(), options.job);
  if (!planned) throw CommandFailure{kExitFailure, "hoist: error: " + planned.error().message};
  return *planned;
}

std::string ResultName(JobOutcome outcome) {
  return outcome == JobOutcome::kCached ? "passed before" : OutcomeName(outcome, "passed");
}

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
  command
      ->add_option("--compose", options->compose,
                   "Run this docker compose file (relative to projectDir) as the job; after -- "
                   "KEY=VALUE for it")
      ->option_text("FILE");
  command
      ->add_option("--service", options->service,
                   "With --compose: the service whose exit status is the job's (default: the "
                   "project's name)")
      ->option_text("NAME");
  command->add_flag("--force", options->force, "Run even when a pass is recorded");
  auto* jobs_option =
      command->add_option("-j,--jobs", options->jobs, "Jobs at once")->check(CLI::Range(1, 256));
  AddRemoteOption(*command, options->remotes, "Run the jobs in their images elsewhere");
  auto compat = AddCompatOption(*command);
  command
      ->add_option("--report", options->report,
                   "Write a report of the run: FILE.html (the graph, a timeline) and FILE.json "
                   "beside it")
      ->option_text("FILE");
  command->callback([&context, &exit_code, options, jobs_option, compat] {
    context.compat = *compat;
    CheckReportPath(options->report, false);
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    context.ApplyScheme(snapshot_options);
    context.BeginSnapshot(snapshot_options);  // while the manifest is parsed
    std::vector<PlannedTest> tests = Planned(context, *options);
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes = context.Hashes(snapshot, context.scheme());
    ImageStore& store = context.Store();
    DockerBuilder builder;
    std::vector<int> projects;
    for (const auto& test : tests) projects.push_back(test.project);
    const PipelineFacts& facts = context.facts();
    auto machines = PrepareMachines(context.manifest(), projects, store, builder,
                                    {options->remotes,
                                     &context.config(),
                                     options->jobs,
                                     jobs_option->count() > 0,
                                     tests.size(),
                                     {facts.run_id, facts.branch}});
    if (!machines) throw CommandFailure{kExitUsage, "hoist: error: " + machines.error().message};
    auto prepared = PrepareStore(store, context.manifest(), projects);
    if (!prepared) throw CommandFailure{kExitFailure, "hoist: error: " + prepared.error().message};
    TestEnvironment env{context.manifest(),
                        hashes,
                        store,
                        builder,
                        context.repo().root(),
                        snapshot.commit(),
                        options->force,
                        !context.compat.empty()};
    if (!context.compat.empty()) {
      // The names the Aztec build system's cond_run_compose gave the images its compose files
      // run: aztecprotocol/<project> and $ECR_DEPLOY_URL/<project>.
      env.local_names.push_back("aztecprotocol");
      const char* deploy_url = std::getenv("ECR_DEPLOY_URL");
      if (deploy_url && *deploy_url) env.local_names.push_back(deploy_url);
    }
    // --compat aztec-2023-02: a pass the 2023-02 scripts tagged cache-<commit>-<job> at an
    // earlier commit is this hash's when the hash was the same there.
    auto commit_tags = CommitKeyedTags(context, store, hashes, snapshot.commit());
    std::vector<KeyedTag> passes;
    for (const auto& test : tests) passes.push_back({test.project, "-" + test.job.name});
    ReuseCommitTags(commit_tags.get(), passes);
    auto jobs = TestJobs(env, tests, machines->placement);
    JobRunner runner(machines->pool.get(), {machines->jobs, false});
    BuildOutput output(JobNames(jobs), jobs.size(), context.LogDirectory(), false);
    auto results = runner.Run(
        jobs, [&](JobScope& scope) { return RunTestStageJob(env, tests[scope.index()], scope); },
        output);
    output.Finish();

    exit_code = kExitOk;
    RunRecord record;
    record.command = "test";
    record.store = store.Describe();
    record.builder = builder.Describe();
    record.started = UtcTimestamp(std::chrono::system_clock::now() - output.Elapsed());
    record.seconds = std::chrono::duration<double>(output.Elapsed()).count();
    const auto timeline = output.Timeline();
    if (!context.json) std::printf("%-40s %-14s %s\n", "JOB", "RESULT", "DETAIL");
    for (size_t i = 0; i < tests.size(); ++i) {
      const int p = tests[i].project;
      const std::string& project = context.manifest().projects[p].name;
      const std::string result = ResultName(results[i].outcome);
      if (result == "failed" || result == "interrupted") exit_code = kExitFailure;
      if (!context.json) {
        std::printf("%-40s %-14s %s\n", (project + " " + tests[i].job.name).c_str(), result.c_str(),
                    results[i].message.c_str());
      }
      RunRecord::Job job;
      job.name = jobs[i].name;
      job.project = project;
      job.outcome = results[i].outcome;
      job.result = results[i].outcome == JobOutcome::kCached
                       ? "cached"
                       : OutcomeName(results[i].outcome, "passed");
      job.reason = results[i].message;
      job.hash = hashes[p].hash;
      job.log = output.LogPath(i);
      job.after = jobs[i].after;
      job.times = timeline[i];
      record.jobs.push_back(std::move(job));
    }
    // Each pass is also the commit's, as the scripts named it.
    if (!KeepCommitTags(commit_tags.get(), passes, results)) exit_code = kExitFailure;
    if (context.json) {
      nlohmann::json json = RunRecordJson(record);
      // Each row also names its test job as the manifest does.
      for (size_t i = 0; i < tests.size(); ++i) json["jobs"][i]["job"] = tests[i].job.name;
      PrintJson("test", json);
    }
    ReportRun(record, options->report);
  });
}

}  // namespace hoist
