#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "compat/aztec_query.h"
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

/// The manifest the era's scripts read: --manifest, else $ROOT_PATH's build_manifest.yml or
/// .json (the one that exists; the era's own name when both or neither do).
std::string CompatManifestFile(CommandContext& context, const std::string& root,
                               const std::string& compat) {
  namespace fs = std::filesystem;
  if (!context.manifest_path.empty()) {
    fs::path path = context.manifest_path;
    return path.is_relative() ? (fs::path(context.directory) / path).string() : path.string();
  }
  if (compat == "aztec") return AztecManifestAt(root);
  auto era = ParseAztecEra(compat.substr(6));
  return root + "/" + AztecEraManifest(era ? *era : AztecEra::kYaml2024);
}

/// `query --compat aztec[-ERA]`: the era's query_manifest, output and exit status.
int CompatQuery(CommandContext& context, const std::string& compat,
                const std::vector<std::string>& args) {
  const GitRepository& repo = context.repo();
  std::string root = ProcessEnv("ROOT_PATH").empty() ? repo.root() : ProcessEnv("ROOT_PATH");
  std::string file = CompatManifestFile(context, root, compat);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw CommandFailure{kExitFailure, "hoist: error: no manifest at " + file +
                                           " (the Aztec build system's scripts read it from "
                                           "$ROOT_PATH; set ROOT_PATH or pass --manifest)"};
  }
  // "aztec": the era the manifest read implies (which --manifest may name).
  auto chosen =
      compat == "aztec" ? GuessAztecEra(root, file) : ChooseAztecEra(compat.substr(6), root);
  if (!chosen) throw CommandFailure{kExitFailure, "hoist: error: " + chosen.error().message};
  const AztecEra era = chosen->era;
  auto manifest = RawManifest::Load(file, era == AztecEra::kYaml2024);
  if (!manifest) throw CommandFailure{kExitFailure, "hoist: error: " + manifest.error().message};
  auto fields = AztecQueryFields(era);
  if (std::find(fields.begin(), fields.end(), args[0]) == fields.end()) {
    std::string known;
    for (const auto& name : fields) known += (known.empty() ? "" : ", ") + name;
    Warn("the " + AztecEraName(era) + " query_manifest has no field '" + args[0] +
         "' and prints nothing; its fields: " + known);
  }
  auto answer = AztecQuery(era, *manifest, root, repo, args);
  if (context.json) {
    std::vector<std::string> lines;
    std::string out = answer.out;
    for (size_t start = 0; start < out.size();) {
      size_t end = out.find('\n', start);
      if (end == std::string::npos) end = out.size();
      lines.push_back(out.substr(start, end - start));
      start = end + 1;
    }
    PrintJson("query", {{"field", args[0]},
                        {"project", args[1]},
                        {"compat", "aztec-" + AztecEraName(era)},
                        {"values", lines},
                        {"exitCode", answer.exit_code}});
  } else {
    std::cout << answer.out << std::flush;
  }
  std::cerr << answer.err << std::flush;
  return answer.exit_code;
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
  auto run = std::make_shared<std::string>();
  command->add_option("RUN", *run, "With --compat aztec-2024 runDependencies: a run's name");
  auto compat = std::make_shared<std::string>();
  command
      ->add_option("--compat", *compat,
                   "Answer exactly as the Aztec build system's query_manifest did: 'aztec' (the "
                   "era the manifest implies), 'aztec-2023-02', 'aztec-2023-09' or 'aztec-2024'")
      ->check(CLI::IsMember({"aztec", "aztec-2023-02", "aztec-2023-09", "aztec-2024"}));
  command->callback([&context, &exit_code, field, project, run, compat] {
    if (!compat->empty()) {
      std::vector<std::string> args = {*field, *project};
      if (!run->empty()) args.push_back(*run);
      exit_code = CompatQuery(context, *compat, args);
      return;
    }
    if (!run->empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: a run name is only read with --compat aztec-2024 "
                           "(runDependencies PROJECT RUN)"};
    }
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
