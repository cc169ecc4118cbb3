#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "docker/docker_builder.h"
#include "stages/build_context.h"
#include "stages/project_build.h"

namespace hoist {
namespace {

struct ContextOptions {
  std::string project;
  std::string output;
  bool list = false;
};

std::string SourceOf(const BuildContext& context, const ContextEntry& entry) {
  if (entry.repository != 0) return "submodule " + context.repositories[entry.repository];
  return entry.from_disk ? "working tree" : "commit";
}

}  // namespace

void AddContextCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "context",
      "Write the build context hoist sends to the builder for a project (a tar: exactly its "
      "hashed files, the pinned Dockerfile as " +
          std::string(kContextDockerfile) + "), or list its files");
  auto options = std::make_shared<ContextOptions>();
  command->add_option("PROJECT", options->project, "The project")->required();
  command->add_option("-o,--output", options->output, "Write the tar to this file (- for stdout)");
  command->add_flag("--list", options->list, "List the files instead: path, mode, source");
  command->callback([&context, &exit_code, options] {
    const int p = context.SelectProjects({options->project}).front();
    const Project& project = context.manifest().projects[p];
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes = context.Hashes(snapshot, HashScheme::kV1);
    auto fail = [&](const std::string& why) {
      throw CommandFailure{kExitFailure, "hoist: error: project '" + project.name + "': " + why};
    };
    auto plan =
        PlanBuildContext(context.manifest(), context.patterns(), snapshot, context.repo(), p);
    if (!plan) fail(plan.error().message);
    if (options->list || (options->output.empty() && isatty(STDOUT_FILENO))) {
      if (context.json) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& entry : plan->entries) {
          files.push_back({{"path", entry.path},
                           {"mode", entry.mode},
                           {"oid", entry.oid},
                           {"source", SourceOf(*plan, entry)}});
        }
        PrintJson("context", {{"project", project.name},
                              {"hash", hashes[p].hash.empty() ? nlohmann::json()
                                                              : nlohmann::json(hashes[p].hash)},
                              {"dirty", hashes[p].dirty},
                              {"dockerignore", plan->dockerignore_file.empty()
                                                   ? nlohmann::json()
                                                   : nlohmann::json(plan->dockerignore_file)},
                              {"ignored", plan->ignored},
                              {"files", files}});
      } else {
        for (const auto& entry : plan->entries) {
          std::cout << entry.mode << " " << entry.path << "\t" << SourceOf(*plan, entry) << "\n";
        }
        std::cerr << "hoist: " << plan->entries.size() << " files in the context of "
                  << project.name
                  << (plan->ignored ? " (" + std::to_string(plan->ignored) + " left out by " +
                                          plan->dockerignore_file + ")"
                                    : "")
                  << "; write them with -o FILE\n";
      }
      return;
    }
    auto read = ReadSnapshotFile(context.repo(), snapshot, project.dockerfile_path);
    if (!read) fail(read.error().message);
    if (!*read) fail("its Dockerfile " + project.dockerfile_path + " does not exist");
    DockerBuilder builder;  // names images only; nothing is built
    BuildEnvironment env{context.manifest(),
                         context.graph(),
                         hashes,
                         context.repo(),
                         context.ReadStore(),
                         builder,
                         {},
                         "",
                         &snapshot,
                         &context.patterns(),
                         &context.Bases(snapshot)};
    auto pinned = PinDockerfile(env, p, **read);
    if (!pinned) fail(pinned.error().message);
    FILE* out = stdout;
    const bool to_file = !options->output.empty() && options->output != "-";
    // Only a file this command creates is removed on failure (never /dev/null or a file that
    // was there before).
    std::error_code ignored;
    const bool created = to_file && !std::filesystem::exists(
                                        std::filesystem::symlink_status(options->output, ignored));
    if (to_file && !(out = std::fopen(options->output.c_str(), "wb"))) {
      fail("cannot write " + options->output);
    }
    auto written =
        WriteBuildContext(context.repo(), *plan, pinned->text, [out](std::string_view data) {
          return std::fwrite(data.data(), 1, data.size(), out) == data.size();
        });
    const bool closed = !to_file || std::fclose(out) == 0;
    if (!to_file) std::fflush(out);
    if (created && (!written || !closed)) std::remove(options->output.c_str());  // no half tar
    if (!written) fail(written.error().message);
    if (!closed) fail("cannot write " + options->output);
    exit_code = kExitOk;
  });
}

}  // namespace hoist
