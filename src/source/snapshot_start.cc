#include "source/snapshot_start.h"

namespace hoist {

SnapshotStart::SnapshotStart(const GitRepository& repo, const SnapshotOptions& options)
    : rev_(options.rev), working_tree_(options.working_tree), index_may_list_(rev_ == "HEAD") {
  // The working-tree scan (stat of every tracked file, a walk for untracked ones) costs the
  // most; it starts first: in this process when it can read the repository, else as
  // `git status` (which also compares the index with HEAD).
  if (working_tree_) {
    auto git_status = [&repo] { return repo.WorkingTreeChanges(); };
    std::string declined;
    if (index_may_list_) scan_ = WorkingTreeScan::Open(repo.root(), &declined);
    if (scan_) {
      scan_->Start(repo, git_status);
    } else {
      status_ = std::async(std::launch::async, git_status);
    }
  } else if (index_may_list_) {
    // HEAD's listing may be the index, read meanwhile, where the scan could read it.
    index_ = std::async(std::launch::async, [root = repo.root()]() -> std::optional<GitIndex> {
      std::string why;
      if (!WorkingTreeScan::Open(root, &why)) return std::nullopt;
      auto index = GitIndex::Read(root + "/.git/index");
      if (!index) return std::nullopt;
      return std::move(*index);
    });
  }
  // Where the index may be HEAD's listing, HEAD's tree is asked with its commit: one git call.
  resolved_ =
      std::async(std::launch::async,
                 [&repo, rev = rev_,
                  with_tree = index_may_list_]() -> Expected<std::pair<std::string, std::string>> {
                   if (with_tree) return repo.ResolveCommitAndTree(rev);
                   auto commit = repo.ResolveCommit(rev);
                   if (!commit) return commit.error();
                   return std::make_pair(std::move(*commit), std::string());
                 });
}

SnapshotStart::~SnapshotStart() = default;  // each future, and the scan, wait for their part

bool SnapshotStart::Serves(const SnapshotOptions& options) const {
  return options.rev == rev_ && options.working_tree == working_tree_;
}

Expected<std::pair<std::string, std::string>> SnapshotStart::CommitAndTree() {
  return resolved_.get();
}

bool SnapshotStart::ListTreeFromIndex(const std::string& tree,
                                      const std::function<void(const TreeEntryView&)>& visit) {
  if (!index_.valid()) return false;
  auto index = index_.get();
  return index && index->ListAsTree(tree, visit);
}

Expected<std::vector<WorkingTreeChange>> SnapshotStart::WorkingTreeChanges() {
  return scan_ ? scan_->Finish() : status_.get();
}

}  // namespace hoist
