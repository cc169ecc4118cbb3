#include "stages/injected_args.h"

#include <algorithm>
#include <map>

#include "docker/dockerfile.h"

namespace hoist {

InjectedArgs InjectedArgValues(const std::vector<std::string>& dockerfiles,
                               const std::string& commit, const std::string& tag) {
  InjectedArgs injected(dockerfiles.size());
  for (size_t p = 0; p < dockerfiles.size(); ++p) {
    for (const auto& name : DeclaredArgs(dockerfiles[p])) {
      if (std::find(kInjectedArgNames.begin(), kInjectedArgNames.end(), name) ==
          kInjectedArgNames.end()) {
        continue;
      }
      injected[p][name] = name == "COMMIT_TAG" ? tag : commit;
    }
  }
  return injected;
}

/// Projects whose Dockerfile declares a build arg hoist injects (COMMIT_HASH, ARG_COMMIT_HASH,
/// COMMIT_TAG) whose value differs between the two commits have another hash, so they (and
/// their dependents) are affected too, as their builds will say.
Status AddInjectedChanges(const Manifest& manifest, const DependencyGraph& graph,
                          const GitRepository& repo, const std::string& base,
                          const std::string& head, AffectedReport& report) {
  auto commits = repo.ResolveCommits({base, head});
  if (!commits) return commits.error();
  std::vector<BlobRequest> requests;
  for (const auto& project : manifest.projects) {
    requests.push_back({(*commits)[1] + ":" + project.dockerfile_path, project.dockerfile_path});
  }
  std::vector<bool> missing;  // a project without a Dockerfile at head reads as ""
  auto texts = repo.ReadBlobs(requests, &missing);
  if (!texts) return texts.error();
  auto tag_of = [&](const std::string& commit) {
    return repo.Output({"describe", "--tags", "--exact-match", commit});
  };
  const InjectedArgs at_base = InjectedArgValues(*texts, (*commits)[0], tag_of((*commits)[0]));
  const InjectedArgs at_head = InjectedArgValues(*texts, (*commits)[1], tag_of((*commits)[1]));
  std::map<int, std::vector<std::string>> reasons;
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
    for (const auto& [name, value] : at_head[p]) {
      auto before = at_base[p].find(name);
      if (before != at_base[p].end() && before->second == value) continue;
      reasons[static_cast<int>(p)].push_back("ARG " + name + " (injected: " + value + ")");
    }
  }
  if (reasons.empty()) return Ok();
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
    for (int dependent : graph.TransitiveDependents(p)) {
      selected[dependent] = true;
      auto& dependent_entry = entries[dependent];
      dependent_entry.project = dependent;
      const std::string& name = manifest.projects[p].name;
      auto& deps = dependent_entry.dependencies;
      if (std::find(deps.begin(), deps.end(), name) == deps.end()) deps.push_back(name);
    }
  }
  auto order = graph.TopologicalOrder(selected);
  if (!order) return Ok();  // a cycle: the report keeps the order FindAffected gave
  report.projects.clear();
  for (int p : *order) report.projects.push_back(std::move(entries[p]));
  return Ok();
}

}  // namespace hoist
