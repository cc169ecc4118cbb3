#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "docker/docker_builder.h"
#include "stages/deploy.h"
#include "stages/pipeline_env.h"

namespace hoist {

void AddDeployCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "deploy", "Promote images and run deploy steps, only after the whole pipeline passed");
  auto projects = std::make_shared<std::vector<std::string>>();
  auto dry_run = std::make_shared<bool>(false);
  command->add_option("PROJECT", *projects, "Projects to deploy (default: those with deploy:)");
  command->add_flag("--dry-run", *dry_run, "Print the plan");
  command->callback([&context, &exit_code, projects, dry_run] {
    const Manifest& manifest = context.manifest();
    auto* cache = dynamic_cast<RegistryStore*>(&context.Store());
    if (!cache) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: deploy promotes from the cache registry; "
                           "give --registry HOST[/PREFIX] (or HOIST_REGISTRY)"};
    }
    RegistryStore& target = context.DeployStore();
    auto facts = DetectPipelineFacts(context.repo(), {}, ProcessEnv);
    if (!facts) throw CommandFailure{kExitFailure, "hoist: error: " + facts.error().message};
    auto env = PipelineEnvironment(context.repo().root(), *facts);
    if (!env) throw CommandFailure{kExitFailure, "hoist: error: " + env.error().message};

    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes =
        HashProjects(manifest, context.graph(), context.patterns(), snapshot, HashScheme::kV1);
    DeployContext deploy{manifest,
                         hashes,
                         *cache,
                         target,
                         *env,
                         context.repo().root(),
                         [&context](const std::string& host) { return context.ClientFor(host); }};

    DockerBuilder engine;  // only npm steps with fromImage use it
    deploy.builder = &engine;
    auto missing = MissingForDeploy(deploy);
    if (!missing) throw CommandFailure{kExitFailure, "hoist: error: " + missing.error().message};
    if (!missing->empty()) {
      std::string list;
      for (const auto& item : *missing) list += "\n  " + item;
      throw CommandFailure{kExitFailure,
                           "hoist: error: not deploying: the pipeline has not fully passed for " +
                               snapshot.commit().substr(0, 12) + ":" + list};
    }
    std::vector<int> selected;
    if (projects->empty()) {
      for (size_t p = 0; p < manifest.projects.size(); ++p) {
        if (!manifest.projects[p].deploy.empty()) selected.push_back(static_cast<int>(p));
      }
    } else {
      selected = context.SelectProjects(*projects);
    }
    exit_code = kExitOk;
    nlohmann::json summary = nlohmann::json::array();
    for (int p : selected) {
      const std::string& name = manifest.projects[p].name;
      auto outcome = DeployProject(deploy, p, *dry_run, [&](const std::string& line) {
        std::cerr << "[" << name << "] " << line << "\n";
      });
      std::string result;
      if (!outcome) {
        std::cerr << "hoist: error: " << outcome.error().message << "\n";
        result = "failed";
        exit_code = kExitFailure;
      } else {
        result = *outcome == DeployOutcome::kDeployed          ? "deployed"
                 : *outcome == DeployOutcome::kAlreadyDeployed ? "already deployed"
                                                               : "planned";
      }
      if (context.json) {
        summary.push_back({{"project", name}, {"result", result}});
      } else {
        std::printf("%-32s %s\n", name.c_str(), result.c_str());
      }
    }
    if (context.json) std::cout << summary.dump(2) << "\n";
  });
}

}  // namespace hoist
