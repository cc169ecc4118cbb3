#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// One row of a recursive tree listing: a file, symlink or submodule gitlink.
struct TreeEntryView {
  std::string_view mode;  ///< "100644", "100755", "120000", "160000"
  std::string_view oid;   ///< blob id, or the submodule's commit id
  std::string_view path;  ///< repository-relative
};

/// One path that differs between two trees (both sides of a rename appear separately).
struct TreeChange {
  std::string old_mode;  ///< "000000" when added
  std::string new_mode;  ///< "000000" when deleted
  std::string old_oid;
  std::string new_oid;
  std::string path;
};

/// One path whose working-tree state differs from HEAD (staged or not, or untracked).
struct WorkingTreeChange {
  enum class Kind { kModified, kDeleted, kUntracked };
  Kind kind = Kind::kModified;
  std::string mode;  ///< mode in the working tree ("" when deleted or unknown)
  bool submodule = false;
  std::string path;
  /// A submodule whose files differ from its checked-out commit (edited or untracked files).
  bool submodule_modified = false;
  /// The blob, when known without reading the file (a staged change the file still has).
  std::string oid;
};

/// One blob to read, with the path it has in the tree (its .gitattributes apply).
struct BlobRequest {
  std::string oid;
  std::string path;
};

/// The git repository hoist works in, through git's own plumbing commands (git is the
/// reference for every index format, filter and object store; one process per question).
class GitRepository {
 public:
  /// The repository containing `directory` (its top level).
  static Expected<GitRepository> Open(const std::string& directory);

  const std::string& root() const { return root_; }

  /// The commit id `rev` names.
  Expected<std::string> ResolveCommit(const std::string& rev) const;
  /// The commit `rev` names and its tree, with one git call.
  Expected<std::pair<std::string, std::string>> ResolveCommitAndTree(const std::string& rev) const;
  /// The commit ids of several revisions, with one git call when all of them resolve.
  Expected<std::vector<std::string>> ResolveCommits(const std::vector<std::string>& revs) const;
  /// True when `commit` exists in this repository's object store.
  bool HasCommit(const std::string& commit) const;
  /// Whether commit `ancestor` is an ancestor of commit `descendant` (both must exist here).
  Expected<bool> IsAncestor(const std::string& ancestor, const std::string& descendant) const;

  /// Streams every file of `rev`'s tree, recursively, in path order.
  Status ListTree(const std::string& rev,
                  const std::function<void(const TreeEntryView&)>& on_entry) const;

  /// Files changed between two commits, without rename pairing, submodules as gitlinks.
  Expected<std::vector<TreeChange>> DiffTrees(const std::string& base,
                                              const std::string& head) const;

  /// Working-tree and index changes against HEAD, untracked files included (not ignored ones).
  Expected<std::vector<WorkingTreeChange>> WorkingTreeChanges() const;

  /// Blob ids of working-tree files as `git add` would store them (filters applied);
  /// symlinks are hashed as their target, like git does.
  Expected<std::vector<std::string>> HashWorkingFiles(const std::vector<std::string>& paths) const;

  /// The commit checked out in the submodule at `path`, or an Error when it is not initialised.
  Expected<std::string> SubmoduleHead(const std::string& path) const;
  /// The tree of the working tree of the submodule at `path`, uncommitted and untracked files
  /// included, ignored ones not (written to its object store through a temporary index, its
  /// own index untouched): an id for exactly what is on disk, and a tree to read it from.
  Expected<std::string> SubmoduleWorkingTree(const std::string& path) const;

  /// Streams the content of each blob, in order, as stored; with `convert`, as a checkout on
  /// any machine gives it: what .gitattributes asks (filters such as git-lfs, eol=crlf, ident,
  /// working-tree-encoding) applied, but not this machine's core.autocrlf and core.eol (git
  /// converts in a way that costs ~40x a plain read, so only files that need it should ask).
  /// `on_begin(i, size)` precedes the bytes of blob i, which `on_data` receives in chunks. An
  /// Error names a missing object; with `missing`, one is marked there (and skipped) instead.
  Status StreamBlobs(const std::vector<BlobRequest>& blobs,
                     const std::function<Status(size_t, uint64_t)>& on_begin,
                     const std::function<Status(std::string_view)>& on_data, bool convert = false,
                     std::vector<bool>* missing = nullptr) const;
  /// The content of each blob as stored (StreamBlobs without conversion), "" for one that does
  /// not exist (when `missing` is given, it says which; without it, a missing one is an Error).
  Expected<std::vector<std::string>> ReadBlobs(const std::vector<BlobRequest>& blobs,
                                               std::vector<bool>* missing = nullptr) const;
  /// How .gitattributes has git convert a path on checkout.
  struct Conversion {
    std::string filter;  ///< the filter driver's name ("" when none)
    bool other = false;  ///< eol=crlf, ident or working-tree-encoding
  };
  /// The checkout conversion of each path.
  Expected<std::vector<Conversion>> Conversions(const std::vector<std::string>& paths) const;
  /// Whether this machine's git configures the filter driver `name` (filter.NAME.smudge or
  /// filter.NAME.process).
  bool HasFilterDriver(const std::string& name) const;

  /// Runs `git ARGS...` in the top level; an Error (naming the command and git's message)
  /// unless it exits 0.
  Expected<std::string> Run(const std::vector<std::string>& args,
                            const std::string& stdin_data = "") const;
  /// The output of `git ARGS...` without its final newline; "" when git fails (for facts
  /// that may be missing: a branch, a tag, a remote URL).
  std::string Output(const std::vector<std::string>& args) const;

 private:
  explicit GitRepository(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace hoist
