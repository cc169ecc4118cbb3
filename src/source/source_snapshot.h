#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "source/git_repository.h"
#include "source/pattern_index.h"
#include "util/expected.h"

namespace hoist {

class SnapshotStart;

/// Which tree a snapshot is taken of.
struct SnapshotOptions {
  std::string rev = "HEAD";
  /// Overlay the working tree (modified, deleted and untracked files) on `rev`'s tree.
  bool working_tree = false;
  /// With working_tree: keep `rev`'s files as they are and only record which paths the
  /// working tree changes (for hashes that must be the commit's, like the seed's).
  bool flag_only = false;
  /// Also match paths as the seed's awk saw them (for --compat aztec).
  bool aztec_paths = false;
};

/// The files of one tree that any rebuild pattern matches or that are a project's Dockerfile,
/// sorted by path, with the patterns each one matches: everything content hashes are made of,
/// from one listing of the tree.
class SourceSnapshot {
 public:
  /// One file of the snapshot.
  struct File {
    std::string_view path;
    std::string_view mode;
    std::string_view oid;
    bool dirty;                              ///< taken from the working tree, not from the commit
    const std::vector<int>* patterns;        ///< ids of the patterns matching the path
    const std::vector<int>* aztec_patterns;  ///< the same, for the path as the seed's awk saw it
  };

  /// Takes the snapshot, finishing `started` where it serves `options` (snapshot_start.h),
  /// else reading the repository itself.
  static Expected<SourceSnapshot> Take(const GitRepository& repo, const PatternIndex& index,
                                       const std::vector<std::string>& dockerfiles,
                                       const SnapshotOptions& options,
                                       SnapshotStart* started = nullptr);

  size_t size() const { return rows_.size(); }
  File file(size_t i) const;
  /// The file at `path`, if the snapshot holds it.
  std::optional<File> Find(std::string_view path) const;

  /// Working-tree changes that no file of the snapshot shows (deleted files; with flag_only,
  /// every change): they make their projects dirty.
  size_t dirty_only_size() const { return dirty_only_.size(); }
  File dirty_only_file(size_t i) const;

  const std::string& commit() const { return commit_; }
  /// True when any file of the snapshot came from the working tree.
  bool dirty() const { return dirty_; }
  /// How many files of the whole tree each pattern matched (by pattern id).
  const std::vector<size_t>& pattern_hits() const { return pattern_hits_; }
  size_t tree_size() const { return tree_size_; }

 private:
  struct Row {
    const char* path;  ///< in the arena; the oid follows the path
    uint32_t path_length;
    uint16_t oid_length;
    char mode[6];
    bool dirty;
    bool removed;
    int matchset;
    int aztec_matchset;
  };

  int Intern(const std::vector<int>& patterns);
  void AddRow(std::string_view path, std::string_view mode, std::string_view oid,
              const std::vector<int>& patterns, const std::vector<int>& aztec_patterns, bool dirty);
  std::string_view PathOf(const Row& row) const;
  File FileOf(const Row& row) const;
  Status ApplyWorkingTree(const GitRepository& repo, const PatternIndex& index,
                          const std::vector<std::string>& dockerfiles,
                          std::vector<WorkingTreeChange> changes, bool aztec_paths, bool flag_only);

  std::string commit_;
  bool dirty_ = false;
  size_t tree_size_ = 0;
  /// Appends bytes to the arena, which grows by blocks so nothing moves (or is copied).
  const char* Store(std::string_view a, std::string_view b);

  std::vector<std::unique_ptr<char[]>> arena_;
  size_t arena_free_ = 0;
  char* arena_next_ = nullptr;
  std::deque<Row> rows_;
  std::vector<Row> dirty_only_;
  std::vector<std::vector<int>> matchsets_;
  std::unordered_map<std::string, int> intern_;
  std::vector<size_t> pattern_hits_;
};

/// How the seed's `git ls-tree -r | awk '$4 ~ pattern'` saw a path: C-quoted when it holds
/// special bytes (core.quotePath), then cut at the first blank.
std::string AwkFieldOfTreePath(std::string_view path);

}  // namespace hoist
