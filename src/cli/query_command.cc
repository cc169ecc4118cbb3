#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "util/edit_distance.h"

namespace hoist {
namespace {

const std::vector<std::string> kFields = {
    "dockerfile",      "buildDir",        "projectDir",      "relativeProjectDir", "dependencies",
    "allDependencies", "rebuildPatterns", "runDependencies", "submodulePath",      "multiarch"};

std::vector<std::string> SortedUnique(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());  // byte order, as `LC_ALL=C sort -u`
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

std::string Absolute(const std::string& root, const std::string& path) {
  return path == "." ? root : root + "/" + path;
}

/// The submodule (gitlink at HEAD) that holds `dir`, or "".
std::string SubmodulePath(const GitRepository& repo, const std::string& dir) {
  if (dir == ".") return "";
  std::string prefix;
  size_t start = 0;
  while (start <= dir.size()) {
    size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    prefix = dir.substr(0, end);
    auto row = repo.Run({"ls-tree", "HEAD", "--", prefix});
    if (!row || row->empty()) return "";
    if (row->compare(0, 14, "160000 commit ") == 0) return prefix;
    start = end + 1;
  }
  return "";
}

std::vector<std::string> Query(CommandContext& context, const std::string& field, int p) {
  const Manifest& manifest = context.manifest();
  const Project& project = manifest.projects[p];
  const std::string& root = manifest.repo_root;
  const DependencyGraph& graph = context.graph();
  auto names = [&](const std::vector<int>& ids) {
    std::vector<std::string> out;
    for (int id : ids) out.push_back(graph.Name(id));
    return out;
  };
  if (field == "dockerfile") return {Absolute(root, project.dockerfile_path)};
  if (field == "buildDir") return {Absolute(root, project.build_dir)};
  if (field == "projectDir") return {Absolute(root, project.project_dir)};
  if (field == "relativeProjectDir") return {project.project_dir};
  if (field == "dependencies") return SortedUnique(names(graph.TransitiveDependencies(p)));
  if (field == "allDependencies") return names(graph.DependenciesFirst(p));
  if (field == "rebuildPatterns") {
    std::vector<std::string> patterns;
    for (int d : graph.DependenciesFirst(p)) {
      const auto& own = manifest.projects[d].rebuild_patterns;
      patterns.insert(patterns.end(), own.begin(), own.end());
    }
    return SortedUnique(patterns);
  }
  if (field == "runDependencies") {
    std::vector<std::string> out = {project.name};
    out.insert(out.end(), project.run_dependencies.begin(), project.run_dependencies.end());
    return out;
  }
  if (field == "submodulePath") {
    std::string path = SubmodulePath(context.repo(), project.build_dir);
    return path.empty() ? std::vector<std::string>{} : std::vector<std::string>{path};
  }
  return {project.multiarch.empty() ? "false" : project.multiarch};  // multiarch
}

}  // namespace

void AddQueryCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "query", "Print one field of a project, one item per line, as the seed's query_manifest");
  auto field = std::make_shared<std::string>();
  auto project = std::make_shared<std::string>();
  command
      ->add_option("FIELD", *field,
                   "dockerfile, buildDir, projectDir, dependencies, allDependencies, "
                   "rebuildPatterns, runDependencies, submodulePath or multiarch")
      ->required();
  command->add_option("PROJECT", *project, "A project of the manifest")->required();
  command->callback([&context, &exit_code, field, project] {
    if (std::find(kFields.begin(), kFields.end(), *field) == kFields.end()) {
      std::string close = ClosestName(*field, kFields);
      throw CommandFailure{kExitUsage,
                           "hoist: error: unknown field '" + *field + "'" +
                               (close.empty() ? "" : "; did you mean '" + close + "'?") +
                               "\n  fields: dockerfile, buildDir, projectDir, "
                               "dependencies, allDependencies, rebuildPatterns, "
                               "runDependencies, submodulePath, multiarch"};
    }
    int p = context.ProjectIndex(*project);
    auto items = Query(context, *field, p);
    if (context.json) {
      PrintJson("query", {{"field", *field}, {"project", *project}, {"values", items}});
    } else {
      for (const auto& item : items) std::cout << item << "\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist
