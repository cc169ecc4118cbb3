#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "source/content_hash.h"

namespace hoist {
namespace {

struct Explanation {
  std::string commit;
  ProjectHash hash;
  HashInputs inputs;
};

Explanation Explain(CommandContext& context, int project, const SnapshotOptions& options,
                    const std::string& platform) {
  SourceSnapshot snapshot = context.Snapshot(options);
  context.WarnUnmatchedPatterns(snapshot, {project});
  auto hashes = context.Hashes(snapshot, HashScheme::kV1, platform);
  const InjectedArgs injected = context.Injected(snapshot);
  return {
      snapshot.commit(), hashes[project],
      CollectHashInputs(context.manifest(), context.graph(), context.patterns(), snapshot, project,
                        hashes, platform, &injected, &context.Bases(snapshot).inputs())};
}

nlohmann::json ToJson(const Explanation& e) {
  nlohmann::json deps = nlohmann::json::object();
  for (const auto& [name, hash] : e.inputs.dependencies) deps[name] = hash;
  return {{"commit", e.commit},
          {"hash", e.hash.hash},
          {"dirty", e.hash.dirty},
          {"error", e.hash.error},
          {"files", e.inputs.files},
          {"buildDir", e.inputs.build_dir},
          {"dockerfile", e.inputs.dockerfile},
          {"dockerignore", e.inputs.dockerignore},
          {"buildArgs", e.inputs.build_args},
          {"injected", e.inputs.injected},
          {"bases", e.inputs.bases},
          {"platform", e.inputs.platform},
          {"dependencies", deps}};
}

/// Lines of `before` missing from `after` ("-") and the reverse ("+"), in path order.
std::vector<std::string> DiffLines(const std::vector<std::string>& before,
                                   const std::vector<std::string>& after) {
  std::set<std::string> old_set(before.begin(), before.end()), new_set(after.begin(), after.end());
  std::vector<std::string> out;
  for (const auto& line : before) {
    if (!new_set.count(line)) out.push_back("- " + line);
  }
  for (const auto& line : after) {
    if (!old_set.count(line)) out.push_back("+ " + line);
  }
  return out;
}

std::vector<std::string> DependencyLines(const HashInputs& inputs) {
  std::vector<std::string> out;
  for (const auto& [name, hash] : inputs.dependencies) out.push_back("dep " + name + " " + hash);
  return out;
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
    Explanation now = Explain(context, p, now_options, options->platform);
    std::optional<Explanation> before;
    if (!options->base.empty()) {
      SnapshotOptions base_options;
      base_options.rev = options->base;
      before = Explain(context, p, base_options, options->platform);
    }
    exit_code = now.hash.error.empty() ? kExitOk : kExitFailure;

    if (context.json) {
      nlohmann::json out = {{"project", project.name},
                            {"patterns", project.rebuild_patterns},
                            {"current", ToJson(now)}};
      if (before) {
        out["base"] = ToJson(*before);
        out["changed"] = before->hash.hash != now.hash.hash;
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::cout << "project     " << project.name << "\n";
    std::cout << "commit      " << now.commit << (now.hash.dirty ? " + working tree" : "") << "\n";
    if (!now.hash.error.empty()) {
      std::cout << "hash        (none: " << now.hash.error << ")\n";
    } else {
      std::cout << "hash        " << now.hash.hash << (now.hash.dirty ? " (dirty)" : "") << "\n";
    }
    std::cout << "patterns   ";
    for (const auto& pattern : project.rebuild_patterns) std::cout << " " << pattern;
    std::cout << (project.rebuild_patterns_file.empty()
                      ? ""
                      : "  (from " + project.rebuild_patterns_file + ")")
              << "\n";
    std::cout << "buildDir    " << now.inputs.build_dir << "\n";
    std::cout << "dockerfile  " << now.inputs.dockerfile << "\n";
    for (const auto& ignore : now.inputs.dockerignore)
      std::cout << "ignore file " << ignore << "\n";
    for (const auto& arg : now.inputs.build_args) std::cout << "build arg   " << arg << "\n";
    for (const auto& arg : now.inputs.injected) {
      std::cout << "injected    " << arg << "  (the Dockerfile declares it: this image rebuilds "
                << (arg.rfind("COMMIT_TAG=", 0) == 0 ? "for every tag" : "for every commit")
                << ")\n";
    }
    for (const auto& base : now.inputs.bases) std::cout << "base image  " << base << "\n";
    if (!now.inputs.platform.empty()) std::cout << "platform    " << now.inputs.platform << "\n";
    for (const auto& [name, hash] : now.inputs.dependencies) {
      std::cout << "dependency  " << name << " " << hash << "\n";
    }
    std::cout << "files       " << now.inputs.files.size() << "\n";
    for (const auto& file : now.inputs.files) std::cout << "  " << file << "\n";
    if (!before) return;

    std::cout << "\ncompared with " << before->commit.substr(0, 12) << ": ";
    if (before->hash.hash == now.hash.hash) {
      std::cout << "same hash, not affected\n";
      return;
    }
    std::cout << "hash changed (" << before->hash.hash.substr(0, 12) << " -> "
              << now.hash.hash.substr(0, 12) << ") because:\n";
    for (const auto& line : DiffLines(before->inputs.files, now.inputs.files)) {
      std::cout << "  " << line << "\n";
    }
    if (before->inputs.dockerfile != now.inputs.dockerfile) {
      std::cout << "  dockerfile " << before->inputs.dockerfile << " -> " << now.inputs.dockerfile
                << "\n";
    }
    if (before->inputs.build_dir != now.inputs.build_dir) {
      std::cout << "  buildDir " << before->inputs.build_dir << " -> " << now.inputs.build_dir
                << "\n";
    }
    for (const auto& line : DiffLines(before->inputs.dockerignore, now.inputs.dockerignore)) {
      std::cout << "  ignore file " << line << "\n";
    }
    for (const auto& line : DiffLines(before->inputs.build_args, now.inputs.build_args)) {
      std::cout << "  build arg " << line << "\n";
    }
    for (const auto& line : DiffLines(before->inputs.injected, now.inputs.injected)) {
      std::cout << "  injected " << line << "\n";
    }
    for (const auto& line : DiffLines(before->inputs.bases, now.inputs.bases)) {
      std::cout << "  base image " << line << "\n";
    }
    for (const auto& line :
         DiffLines(DependencyLines(before->inputs), DependencyLines(now.inputs))) {
      std::cout << "  " << line << "\n";
    }
  });
}

}  // namespace hoist
