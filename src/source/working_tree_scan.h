#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source/git_index.h"
#include "source/git_repository.h"

struct stat;

namespace hoist {

/// The working tree against HEAD, found in this process as `git status` finds it: the index
/// read directly (GitIndex), every tracked file's stat data compared with what the index recorded
/// (on two threads), and a walk for untracked files under git's ignore rules. Files whose
/// stat data changed are reported, not hashed: the caller hashes them. Repositories using what
/// the scan does not read (submodules, a split or sparse index, a case-insensitive or
/// mode-less file system, GIT_* redirections) are declined, and `git status` answers instead.
class WorkingTreeScan {
 public:
  /// A scan of the work tree at `root`. nullopt when the scan declines it at once (`why` says
  /// why); the index is read by Start, and what it finds there may still decline it.
  static std::optional<WorkingTreeScan> Open(const std::string& root, std::string* why);

  WorkingTreeScan(WorkingTreeScan&&) noexcept;
  WorkingTreeScan& operator=(WorkingTreeScan&&) noexcept;
  ~WorkingTreeScan();

  /// How the changes are found where the scan declines: `git status`.
  using Fallback = std::function<Expected<std::vector<WorkingTreeChange>>()>;

  /// Starts reading the index, then the walk, on other threads.
  void Start(const GitRepository& repo, Fallback fallback);
  /// Each entry of HEAD's tree, in `git ls-tree -r` order, for the staged changes.
  void AddHeadEntry(const TreeEntryView& entry);
  /// Where git's cache tree says the index is exactly `head_tree`, calls `visit` with each
  /// entry in `git ls-tree -r` order (AddHeadEntry is then not needed) and returns true.
  bool ListIndexAsHead(const std::string& head_tree,
                       const std::function<void(const TreeEntryView&)>& visit);
  /// What differs from HEAD, as `git status --untracked-files=all` reports it, except that a
  /// file whose stat data changed is reported even when its content did not. Where the scan
  /// declines (see declined()), the fallback's answer.
  Expected<std::vector<WorkingTreeChange>> Finish();
  /// Why the fallback answered instead of the scan ("" when the scan did), after Finish.
  const std::string& declined() const { return declined_; }
  /// After a Finish the scan answered: each path of the index (once, whatever its stages) and
  /// each untracked file git does not ignore, at or under one of `directories` (repository
  /// paths; "." is the whole tree), sorted and unique: what `git ls-files --cached --others
  /// --exclude-standard -- :(top)DIRECTORY...` lists, as the scan found the tree. nullopt
  /// where the scan did not answer.
  std::optional<std::vector<std::string>> Files(const std::vector<std::string>& directories) const;

 private:
  /// What the stat comparison found for one index entry.
  enum class Disk : uint8_t { kClean, kChanged, kMissing };
  /// How the index entry compares with HEAD's.
  enum class Head : uint8_t { kAdded, kSame, kDiffers };

  /// A directory for the walk to read.
  struct Directory {
    std::string path;  ///< repository-relative, "" for the top level
    bool tracked;      ///< may hold tracked files (else all of it is untracked)
  };

  WorkingTreeScan() = default;
  /// Reads the index; "" when the scan can use it, else why not.
  std::string Load();
  /// The scan's answer, or nullopt when it gives up (declined_ says why).
  std::optional<std::vector<WorkingTreeChange>> Scanned();
  /// One walker: reads queued directories until none is left; returns the untracked files.
  std::vector<std::string> Walk();
  void ReadDirectory(const Directory& directory, std::vector<Directory>* found,
                     std::vector<std::string>* untracked);
  Disk Compare(const IndexEntry* entry, const struct stat& st) const;
  /// The first index entry whose path is not less than `path`.
  size_t LowerBound(std::string_view path) const;

  /// "" when git's settings let the scan go on, else why not.
  std::string CheckSettings() const;
  /// Of `candidates` (paths outside the index), the untracked files git does not ignore.
  Expected<std::vector<std::string>> NotIgnored(const std::vector<std::string>& candidates) const;

  const GitRepository* repo_ = nullptr;
  GitIndex index_;
  std::shared_future<std::string> settings_;
  Fallback fallback_;
  std::shared_future<void> loaded_;
  std::string declined_;
  std::optional<Expected<std::vector<WorkingTreeChange>>> fallen_back_;
  bool waited_ = false;
  std::string root_;
  std::vector<const IndexEntry*> entries_;  ///< sorted by path, as the index keeps them
  std::vector<Disk> disk_;
  std::vector<Head> head_;
  std::vector<std::string> head_only_;  ///< in HEAD, not in the index (staged deletions)
  bool answered_ = false;               ///< Finish returned the scan's own changes
  std::vector<std::string> untracked_;  ///< what they hold as untracked, sorted
  size_t head_cursor_ = 0;
  std::string last_head_path_;
  bool head_unusable_ = false;
  std::vector<uint8_t> seen_;  ///< the walk met the entry's file (each written by one walker)
  int root_fd_ = -1;
  /// The directories left to read, shared by the walkers (on the heap: the scan moves).
  struct WalkQueue {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Directory> pending;
    int busy = 0;          ///< walkers reading a directory (they may queue more)
    bool stopped = false;  ///< the scan is destroyed unfinished: read no more directories
  };
  std::unique_ptr<WalkQueue> queue_;
  std::vector<std::future<std::vector<std::string>>> walkers_;
};

}  // namespace hoist
