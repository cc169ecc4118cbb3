#pragma once

#include <functional>
#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "source/git_index.h"
#include "source/git_repository.h"
#include "source/source_snapshot.h"
#include "source/working_tree_scan.h"
#include "util/expected.h"

namespace hoist {

/// What a snapshot reads of the repository before it needs the manifest's patterns: the
/// commit and its tree, the index, and the working-tree scan, each begun at once on other
/// threads. A command begins it before it parses the manifest, so that the two overlap, and
/// SourceSnapshot::Take finishes it. Destroyed unused, it stops the scan's walk and waits for
/// what it began (each part ends on its own: a git call, a file read, one directory).
class SnapshotStart {
 public:
  SnapshotStart(const GitRepository& repo, const SnapshotOptions& options);
  ~SnapshotStart();
  SnapshotStart(const SnapshotStart&) = delete;
  SnapshotStart& operator=(const SnapshotStart&) = delete;

  /// Whether this reads what `options` asks for (the same revision, and working tree or not).
  bool Serves(const SnapshotOptions& options) const;
  /// Whether HEAD's listing may come from the index (the revision is HEAD).
  bool index_may_list() const { return index_may_list_; }
  /// The revision's commit, and its tree where the index may list it (else "").
  Expected<std::pair<std::string, std::string>> CommitAndTree();
  /// The scan of the working tree in this process, when it did not decline at once.
  WorkingTreeScan* scan() { return scan_ ? &*scan_ : nullptr; }
  /// Without a working tree: lists `tree` from the index, when git's cache tree says the
  /// index holds exactly it; false (nothing visited) otherwise.
  bool ListTreeFromIndex(const std::string& tree,
                         const std::function<void(const TreeEntryView&)>& visit);
  /// The working tree's changes: the scan's, or `git status`'s where the scan declined.
  Expected<std::vector<WorkingTreeChange>> WorkingTreeChanges();
  /// After WorkingTreeChanges, the files at or under `directories` as the scan found them
  /// (WorkingTreeScan::Files); nullopt where it did not answer.
  std::optional<std::vector<std::string>> Files(const std::vector<std::string>& directories) const {
    return scan_ ? scan_->Files(directories) : std::nullopt;
  }

 private:
  std::string rev_;
  bool working_tree_;
  bool index_may_list_;
  std::future<Expected<std::pair<std::string, std::string>>> resolved_;
  std::optional<WorkingTreeScan> scan_;
  std::future<Expected<std::vector<WorkingTreeChange>>> status_;
  std::future<std::optional<GitIndex>> index_;
};

}  // namespace hoist
