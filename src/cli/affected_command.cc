#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "source/affected.h"
#include "stages/injected_args.h"

namespace hoist {
namespace {

/// Projects whose Dockerfile declares a build arg hoist injects (COMMIT_HASH, ARG_COMMIT_HASH,
/// COMMIT_TAG) whose value differs between the two commits have another hash, so they (and
/// their dependents) are affected too, as their builds will say.
void AddInjectedChanges(CommandContext& context, const std::string& base, const std::string& head,
                        AffectedReport& report) {
  const Manifest& manifest = context.manifest();
  const GitRepository& repo = context.repo();
  auto commits = repo.ResolveCommits({base, head});
  if (!commits) return;
  std::vector<BlobRequest> requests;
  for (const auto& project : manifest.projects) {
    requests.push_back({(*commits)[1] + ":" + project.dockerfile_path, project.dockerfile_path});
  }
  std::vector<std::string> texts(requests.size());
  std::vector<bool> missing;
  size_t current = 0;
  auto read = repo.StreamBlobs(
      requests,
      [&](size_t i, uint64_t) {
        current = i;
        return Ok();
      },
      [&](std::string_view data) {
        texts[current].append(data);
        return Ok();
      },
      false, &missing);
  if (!read) throw CommandFailure{kExitFailure, "hoist: error: " + read.error().message};
  auto tag_of = [&](const std::string& commit) {
    return repo.Output({"describe", "--tags", "--exact-match", commit});
  };
  const InjectedArgs at_base = InjectedArgValues(texts, (*commits)[0], tag_of((*commits)[0]));
  const InjectedArgs at_head = InjectedArgValues(texts, (*commits)[1], tag_of((*commits)[1]));
  std::map<int, std::vector<std::string>> reasons;
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
    for (const auto& [name, value] : at_head[p]) {
      auto before = at_base[p].find(name);
      if (before != at_base[p].end() && before->second == value) continue;
      reasons[static_cast<int>(p)].push_back("ARG " + name + " (injected: " + value + ")");
    }
  }
  if (reasons.empty()) return;
  std::vector<bool> selected(manifest.projects.size(), false);
  std::map<int, AffectedProject> entries;
  for (auto& entry : report.projects) {
    selected[entry.project] = true;
    entries[entry.project] = std::move(entry);
  }
  for (const auto& [p, why] : reasons) {
    selected[p] = true;
    auto& entry = entries[p];
    entry.project = p;
    entry.files.insert(entry.files.end(), why.begin(), why.end());
    for (int dependent : context.graph().TransitiveDependents(p)) {
      selected[dependent] = true;
      auto& dependent_entry = entries[dependent];
      dependent_entry.project = dependent;
      const std::string& name = manifest.projects[p].name;
      auto& deps = dependent_entry.dependencies;
      if (std::find(deps.begin(), deps.end(), name) == deps.end()) deps.push_back(name);
    }
  }
  auto order = context.graph().TopologicalOrder(selected);
  if (!order) return;  // a cycle: the report keeps the order FindAffected gave
  report.projects.clear();
  for (int p : *order) report.projects.push_back(std::move(entries[p]));
}

}  // namespace

void AddAffectedCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "affected", "List the projects whose inputs changed between two commits, in build order");
  struct Options {
    std::string base;
    std::string head = "HEAD";
    bool files = false;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--base", options->base, "The commit to compare with")
      ->required()
      ->option_text("REV");
  command->add_option("--head", options->head, "The commit to compare (default: HEAD)")
      ->option_text("REV");
  command->add_flag("--files", options->files, "Show which changed files affect each project");
  command->callback([&context, &exit_code, options] {
    const Manifest& manifest = context.manifest();
    auto report = FindAffected(manifest, context.graph(), context.patterns(), context.repo(),
                               options->base, options->head, /*resolve_commits=*/context.json);
    if (!report) throw CommandFailure{kExitFailure, "hoist: error: " + report.error().message};
    for (const auto& warning : report->warnings) Warn(warning);
    AddInjectedChanges(context, options->base, options->head, *report);
    if (context.json) {
      nlohmann::json projects = nlohmann::json::array();
      for (const auto& entry : report->projects) {
        projects.push_back({{"project", manifest.projects[entry.project].name},
                            {"files", entry.files},
                            {"dependencies", entry.dependencies}});
      }
      std::cout << nlohmann::json{{"base", report->base},
                                  {"head", report->head},
                                  {"changedFiles", report->changed_files},
                                  {"projects", projects}}
                       .dump(2)
                << "\n";
    } else {
      for (const auto& entry : report->projects) {
        std::cout << manifest.projects[entry.project].name << "\n";
        if (!options->files) continue;
        for (const auto& file : entry.files) std::cout << "  " << file << "\n";
        for (const auto& dep : entry.dependencies) std::cout << "  (dependency " << dep << ")\n";
      }
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist
