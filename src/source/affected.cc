#include "source/affected.h"

#include <algorithm>
#include <functional>
#include <set>

namespace hoist {
namespace {

constexpr const char* kNullOid = "0000000000000000000000000000000000000000";
// Submodules of submodules are followed this deep at most.
constexpr int kMaxSubmoduleDepth = 8;

bool IsNullOid(const std::string& oid) {
  return oid.empty() || oid.find_first_not_of('0') == std::string::npos;
}

Status CollectChanges(const GitRepository& repo, const std::string& prefix, const std::string& base,
                      const std::string& head, int depth, std::set<std::string>& out,
                      std::vector<std::string>* warnings) {
  auto changes = repo.DiffTrees(base, head);
  if (!changes) return changes.error();
  for (const auto& change : *changes) {
    std::string path = prefix + change.path;
    out.insert(path);
    if (change.old_mode != "160000" && change.new_mode != "160000") continue;
    // A gitlink moved: list what changed inside the submodule between its two commits.
    std::string old_commit = change.old_mode == "160000" ? change.old_oid : kNullOid;
    std::string new_commit = change.new_mode == "160000" ? change.new_oid : kNullOid;
    auto fail = [&](const std::string& why) {
      if (warnings) {
        warnings->push_back("submodule '" + path + "': " + why +
                            "; only the submodule path itself counts as changed");
      }
    };
    if (depth >= kMaxSubmoduleDepth) {
      fail("nested too deeply");
      continue;
    }
    auto sub = GitRepository::Open(repo.root() + "/" + change.path);
    if (!sub || sub->root() == repo.root()) {
      fail("not initialised (run: git submodule update --init " + path + ")");
      continue;
    }
    bool have_old = IsNullOid(old_commit) || sub->HasCommit(old_commit);
    bool have_new = IsNullOid(new_commit) || sub->HasCommit(new_commit);
    if (!have_old || !have_new) {
      fail("commit " + (have_old ? new_commit : old_commit).substr(0, 12) +
           " is not in its clone (run: git submodule update --init " + path + ")");
      continue;
    }
    if (IsNullOid(old_commit) || IsNullOid(new_commit)) {
      const std::string& commit = IsNullOid(old_commit) ? new_commit : old_commit;
      auto listed = sub->ListTree(commit, [&](const TreeEntryView& entry) {
        out.insert(path + "/" + std::string(entry.path));
      });
      if (!listed) return listed.error();
      continue;
    }
    auto nested =
        CollectChanges(*sub, path + "/", old_commit, new_commit, depth + 1, out, warnings);
    if (!nested) return nested.error();
  }
  return Ok();
}

}  // namespace

Expected<std::vector<std::string>> ChangedFiles(const GitRepository& repo, const std::string& base,
                                                const std::string& head,
                                                std::vector<std::string>* warnings) {
  std::set<std::string> files;
  auto status = CollectChanges(repo, "", base, head, 0, files, warnings);
  if (!status) return status.error();
  return std::vector<std::string>(files.begin(), files.end());
}

Expected<AffectedReport> FindAffected(const Manifest& manifest, const DependencyGraph& graph,
                                      const PatternIndex& index, const GitRepository& repo,
                                      const std::string& base, const std::string& head,
                                      bool resolve_commits) {
  AffectedReport report{base, head, {}, {}, {}};
  if (resolve_commits) {
    auto commits = repo.ResolveCommits({base, head});
    if (!commits) return commits.error();
    report.base = (*commits)[0];
    report.head = (*commits)[1];
  }
  auto files =
      ChangedFiles(repo, report.base + "^{commit}", report.head + "^{commit}", &report.warnings);
  if (!files) {
    // Say which name does not resolve, rather than git's diff-tree message.
    auto commits = repo.ResolveCommits({base, head});
    if (!commits) return commits.error();
    return files.error();
  }
  report.changed_files = std::move(*files);

  const size_t n = manifest.projects.size();
  std::vector<std::vector<std::string>> triggers(n);
  std::vector<int> matched;
  for (const auto& path : report.changed_files) {
    if (!index.Match(path, &matched)) return Error{"the rebuild patterns are too large to match"};
    std::vector<bool> hit(n, false);
    for (int id : matched) {
      for (int p : index.Owners(id)) hit[p] = true;
    }
    for (size_t p = 0; p < n; ++p) {
      if (hit[p] || manifest.projects[p].dockerfile_path == path) triggers[p].push_back(path);
    }
  }
  // A project is affected by its own files or by any affected dependency.
  std::vector<bool> affected(n, false);
  for (size_t p = 0; p < n; ++p) {
    if (triggers[p].empty()) continue;
    affected[p] = true;
    for (int d : graph.TransitiveDependents(static_cast<int>(p))) affected[d] = true;
  }
  auto order = graph.TopologicalOrder(affected);
  if (!order) return order.error();
  for (int p : *order) {
    AffectedProject entry;
    entry.project = p;
    entry.files = triggers[p];
    for (int d : graph.Dependencies(p)) {
      if (affected[d]) entry.dependencies.push_back(graph.Name(d));
    }
    report.projects.push_back(std::move(entry));
  }
  return report;
}

}  // namespace hoist
