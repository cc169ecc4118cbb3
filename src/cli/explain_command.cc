#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/input_changes.h"
#include "cli/json_output.h"
#include "source/content_hash.h"
#include "store/tag_names.h"

namespace hoist {
namespace {

/// FirstCause, or what is known when the inputs it reads are the same (the hash is computed
/// differently since).
std::string Cause(const nlohmann::json& changes) {
  const std::string cause = FirstCause(changes);
  return cause.empty() ? "its hash changed (no input of it did)" : cause;
}

/// Explaining the working tree: whether the store holds this hash's image, and when it does
/// not, the newest earlier build's (the nearest of the last 10 commits whose hash has an
/// image) and what changed since, with its first cause in words.
nlohmann::json LastImage(CommandContext& context, const Side& now, int p,
                         const std::string& platform) {
  const std::string& name = context.manifest().projects[p].name;
  if (!now.hashes[p].error.empty()) return nullptr;  // no hash, no image to look for
  const std::string tag = tag::Image(now.hashes[p].hash);
  try {
    ImageStore& store = context.ReadStore();
    auto present = store.Exists(name, tag);
    if (!present) return {{"tag", tag}, {"error", present.error().message}};
    if (*present == Presence::kPresent) return {{"tag", tag}, {"present", true}};
    std::map<std::string, Side> sides;
    auto since =
        ChangesSinceLastImage(context, store, now, p, platform, "", context.facts().branch, sides);
    nlohmann::json out = {{"tag", tag}, {"present", false}, {"since", since}};
    if (!since.is_null()) out["cause"] = Cause(since["changes"]);
    return out;
  } catch (const CommandFailure& failure) {  // no store to ask: said, not fatal
    return {{"tag", tag}, {"error", failure.message}};
  }
}

void PrintLastImage(const std::string& project, const nlohmann::json& image) {
  const std::string tag = image["tag"];
  if (image.contains("error")) {
    std::cout << "image       " << tag.substr(0, 18) << ": cannot be told ("
              << image["error"].get<std::string>() << ")\n";
    return;
  }
  if (image["present"]) {
    std::cout << "image       " << tag.substr(0, 18) << " exists: a build uses it\n";
    return;
  }
  const nlohmann::json& since = image["since"];
  if (since.is_null()) {
    std::cout << "image       none for this hash, nor for any of the last 10 commits'\n";
    return;
  }
  std::cout << "image       none for this hash; the newest earlier build is cache-"
            << since["hash"].get<std::string>().substr(0, 12) << " of "
            << since["commit"].get<std::string>().substr(0, 12) << " (" << SinceWords(since)
            << ")\n\n"
            << project << ": rebuilds because " << image["cause"].get<std::string>()
            << "\nsince that build:\n";
  PrintChanges(since["changes"], "  ");
}

}  // namespace

void AddExplainCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "explain", "Show what a project's hash is made of and, with --base, what changed");
  struct Options {
    std::string project;
    std::string base;
    std::string rev;
    std::string platform;
  };
  auto options = std::make_shared<Options>();
  command->add_option("PROJECT", options->project, "A project of the manifest")->required();
  command->add_option("--base", options->base, "Compare the inputs with this commit's")
      ->option_text("REV");
  command
      ->add_option("--rev", options->rev,
                   "Explain this commit's tree (default: HEAD plus working-tree changes)")
      ->option_text("REV");
  command->add_option("--platform", options->platform, "Target platform, as for hash");
  command->callback([&context, &exit_code, options] {
    int p = context.ProjectIndex(options->project);
    const Project& project = context.manifest().projects[p];
    SnapshotOptions now_options;
    now_options.rev = options->rev.empty() ? "HEAD" : options->rev;
    now_options.working_tree = options->rev.empty();
    const Side now = TakeSide(context, now_options, options->platform, {p});
    const HashInputs inputs = InputsOf(context, now, p, options->platform);
    std::optional<Side> before;
    if (!options->base.empty()) {
      SnapshotOptions base_options;
      base_options.rev = options->base;
      before = TakeSide(context, base_options, options->platform, {p});
    }
    const ProjectHash& hash = now.hashes[p];
    exit_code = hash.error.empty() ? kExitOk : kExitFailure;
    // Without a hash on either side (a cycle, a base image that cannot be resolved) there is no
    // comparing hashes: what changed in the inputs is said anyway.
    const bool no_hash = before && (hash.hash.empty() || before->hashes[p].hash.empty());
    const bool changed = before && (no_hash || before->hashes[p].hash != hash.hash);
    std::set<int> explained = {p};
    nlohmann::json changes =
        changed ? Changes(context, *before, now, p, options->platform, explained) : nullptr;

    if (context.json) {
      nlohmann::json out = {{"project", project.name},
                            {"patterns", project.rebuild_patterns},
                            {"current", ToJson(now, p, inputs)}};
      if (!before && options->rev.empty()) {
        out["image"] = LastImage(context, now, p, options->platform);
      }
      if (before) {
        out["base"] = ToJson(*before, p, InputsOf(context, *before, p, options->platform));
        out["changed"] = changed;
        if (changed) out["changes"] = changes;
      }
      PrintJson("explain", out);
      return;
    }
    std::cout << "project     " << project.name << "\n";
    std::cout << "commit      " << now.snapshot.commit() << (hash.dirty ? " + working tree" : "")
              << "\n";
    if (!hash.error.empty()) {
      std::cout << "hash        (none: " << hash.error << ")\n";
    } else {
      std::cout << "hash        " << hash.hash << (hash.dirty ? " (dirty)" : "") << "\n";
    }
    std::cout << "patterns   ";
    for (const auto& pattern : project.rebuild_patterns) std::cout << " " << pattern;
    std::cout << (project.rebuild_patterns_file.empty()
                      ? ""
                      : "  (from " + project.rebuild_patterns_file + ")")
              << "\n";
    std::cout << "buildDir    " << inputs.build_dir << "\n";
    std::cout << "dockerfile  " << inputs.dockerfile << "\n";
    for (const auto& ignore : inputs.dockerignore) std::cout << "ignore file " << ignore << "\n";
    for (const auto& arg : inputs.build_args) std::cout << "build arg   " << arg << "\n";
    for (const auto& arg : inputs.injected) {
      std::cout << "injected    " << arg << "  (the Dockerfile declares it: this image rebuilds "
                << (arg.rfind("COMMIT_TAG=", 0) == 0 ? "for every tag" : "for every commit")
                << ")\n";
    }
    for (const auto& base : inputs.bases) std::cout << "base image  " << base << "\n";
    if (!inputs.platform.empty()) std::cout << "platform    " << inputs.platform << "\n";
    for (const auto& [name, dep_hash] : inputs.dependencies) {
      std::cout << "dependency  " << name << " " << dep_hash << "\n";
    }
    std::cout << "files       " << inputs.files.size() << "\n";
    for (const auto& file : inputs.files) std::cout << "  " << file << "\n";
    if (!before && options->rev.empty() && hash.error.empty()) {
      std::cout << "\n";
      std::cout.flush();
      PrintLastImage(project.name, LastImage(context, now, p, options->platform));
    }
    if (!before) return;

    std::cout << "\ncompared with " << before->snapshot.commit().substr(0, 12) << ": ";
    if (!changed) {
      std::cout << "same hash, not affected\n";
      return;
    }
    if (no_hash) {
      std::cout << "no hash to compare (" << (hash.hash.empty() ? "now" : "then")
                << " it has none); its inputs changed so:\n";
      PrintChanges(changes, "  ");
      return;
    }
    std::cout << "hash changed (" << before->hashes[p].hash.substr(0, 12) << " -> "
              << hash.hash.substr(0, 12) << ") because:\n";
    PrintChanges(changes, "  ");
    std::cout << "in short: " << project.name << " changed because " << Cause(changes) << "\n";
  });
}

}  // namespace hoist
