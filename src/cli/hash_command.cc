#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "source/content_hash.h"

namespace hoist {

void AddHashCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "hash", "Print the content hash of projects (all by default): project<TAB>hash");
  struct Options {
    std::vector<std::string> projects;
    std::string rev;
    std::string compat;
    std::string platform;
  };
  auto options = std::make_shared<Options>();
  command->add_option("PROJECT", options->projects, "Projects to hash (default: all)");
  command
      ->add_option("--rev", options->rev,
                   "Hash this commit's tree (default: HEAD plus working-tree changes)")
      ->option_text("REV");
  command
      ->add_option(
          "--compat", options->compat,
          "'aztec': the seed's calculate_content_hash, bit for bit (of the commit; uncommitted "
          "changes only mark a hash dirty); 'aztec-2023-02': the same over whole rows (mode, "
          "id, path)")
      ->envname("HOIST_COMPAT")
      ->check(CLI::IsMember(kCompatSchemes))
      ->option_text("SCHEME");
  command
      ->add_option("--platform", options->platform,
                   "Target platform to include in the hash, e.g. linux/arm64")
      ->option_text("PLATFORM");
  command->callback([&context, &exit_code, options] {
    SnapshotOptions snapshot_options;
    snapshot_options.rev = options->rev.empty() ? "HEAD" : options->rev;
    snapshot_options.working_tree = options->rev.empty();
    // The seed hashed the commit; uncommitted changes only mark its hashes dirty.
    context.compat = options->compat;
    context.ApplyScheme(snapshot_options);
    context.BeginSnapshot(snapshot_options);  // while the manifest is parsed
    std::vector<int> selected = context.SelectProjects(options->projects);
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    context.WarnUnmatchedPatterns(snapshot, selected);
    auto hashes = context.Hashes(snapshot, context.scheme(), options->platform);

    exit_code = kExitOk;
    nlohmann::json out = nlohmann::json::array();
    size_t dirty = 0;
    for (int p : selected) {
      const std::string& name = context.manifest().projects[p].name;
      const ProjectHash& hash = hashes[p];
      if (!hash.error.empty()) {
        std::cerr << "hoist: error: project '" << name << "': " << hash.error << "\n";
        exit_code = kExitFailure;
        if (context.json) {
          out.push_back(
              {{"project", name}, {"hash", nullptr}, {"dirty", nullptr}, {"error", hash.error}});
        }
        continue;
      }
      if (hash.dirty) ++dirty;
      if (context.json) {
        out.push_back(
            {{"project", name}, {"hash", hash.hash}, {"dirty", hash.dirty}, {"error", nullptr}});
      } else {
        std::cout << name << "\t" << hash.hash << (hash.dirty ? "\tdirty" : "") << "\n";
      }
    }
    if (context.json) {
      PrintJson("hash", {{"commit", snapshot.commit()}, {"projects", out}});
    }
    if (dirty > 0) {
      Warn(std::to_string(dirty) + " project hash" + (dirty == 1 ? " is" : "es are") +
           " made from uncommitted changes (marked dirty); commit them before building for a "
           "shared registry");
    }
  });
}

}  // namespace hoist
