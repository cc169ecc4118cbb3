#include "source/source_snapshot.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>
#include <unordered_map>

#include "source/snapshot_start.h"
#include "source/working_tree_scan.h"

namespace hoist {
namespace {

constexpr size_t kArenaBlock = 4 << 20;

bool NeedsQuoting(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f;
}

std::string ModeOfWorkingFile(const std::string& full_path) {
  struct stat info {};
  if (lstat(full_path.c_str(), &info) != 0) return "";
  if (S_ISLNK(info.st_mode)) return "120000";
  if (S_ISDIR(info.st_mode)) return "160000";
  return (info.st_mode & S_IXUSR) ? "100755" : "100644";
}

}  // namespace

std::string AwkFieldOfTreePath(std::string_view path) {
  std::string shown;
  bool quote = std::any_of(path.begin(), path.end(),
                           [](char c) { return NeedsQuoting(static_cast<unsigned char>(c)); });
  if (quote) {
    shown += '"';
    for (char ch : path) {
      unsigned char c = static_cast<unsigned char>(ch);
      switch (c) {
        case '\a':
          shown += "\\a";
          break;
        case '\b':
          shown += "\\b";
          break;
        case '\t':
          shown += "\\t";
          break;
        case '\n':
          shown += "\\n";
          break;
        case '\v':
          shown += "\\v";
          break;
        case '\f':
          shown += "\\f";
          break;
        case '\r':
          shown += "\\r";
          break;
        case '"':
          shown += "\\\"";
          break;
        case '\\':
          shown += "\\\\";
          break;
        default:
          if (NeedsQuoting(c)) {
            char octal[5];
            snprintf(octal, sizeof octal, "\\%03o", c);
            shown += octal;
          } else {
            shown += ch;
          }
      }
    }
    shown += '"';
  } else {
    shown = path;
  }
  // awk's default field splitting: leading blanks skipped, the field ends at the next blank.
  size_t start = shown.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  size_t end = shown.find_first_of(" \t", start);
  return shown.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

int SourceSnapshot::Intern(const std::vector<int>& patterns) {
  if (patterns.empty()) return 0;
  if (matchsets_.empty()) matchsets_.emplace_back();
  // Few distinct sets exist (roughly one per directory pattern), so a linear probe of the
  // most recent ones first is fast; a map keeps it bounded for many.
  for (int i = static_cast<int>(matchsets_.size()) - 1, tries = 0; i > 0 && tries < 4;
       --i, ++tries) {
    if (matchsets_[i] == patterns) return i;
  }
  std::string key(reinterpret_cast<const char*>(patterns.data()), patterns.size() * sizeof(int));
  auto [it, added] = intern_.emplace(std::move(key), static_cast<int>(matchsets_.size()));
  if (added) matchsets_.push_back(patterns);
  return it->second;
}

void SourceSnapshot::AddRow(std::string_view path, std::string_view mode, std::string_view oid,
                            const std::vector<int>& patterns,
                            const std::vector<int>& aztec_patterns, bool dirty) {
  Row row{};
  row.path = Store(path, oid);
  row.path_length = static_cast<uint32_t>(path.size());
  row.oid_length = static_cast<uint16_t>(oid.size());
  std::memset(row.mode, '0', sizeof row.mode);
  std::memcpy(row.mode, mode.data(), std::min(mode.size(), sizeof row.mode));
  row.dirty = dirty;
  row.removed = false;
  row.matchset = Intern(patterns);
  row.aztec_matchset = &aztec_patterns == &patterns ? row.matchset : Intern(aztec_patterns);
  rows_.push_back(row);
}

const char* SourceSnapshot::Store(std::string_view a, std::string_view b) {
  const size_t size = a.size() + b.size();
  if (size > arena_free_) {
    const size_t block = std::max(kArenaBlock, size);
    arena_.push_back(std::make_unique_for_overwrite<char[]>(block));
    arena_next_ = arena_.back().get();
    arena_free_ = block;
  }
  char* start = arena_next_;
  std::memcpy(start, a.data(), a.size());
  std::memcpy(start + a.size(), b.data(), b.size());
  arena_next_ += size;
  arena_free_ -= size;
  return start;
}

std::string_view SourceSnapshot::PathOf(const Row& row) const {
  return std::string_view(row.path, row.path_length);
}

SourceSnapshot::File SourceSnapshot::file(size_t i) const {
  return FileOf(rows_[i]);
}

SourceSnapshot::File SourceSnapshot::dirty_only_file(size_t i) const {
  return FileOf(dirty_only_[i]);
}

SourceSnapshot::File SourceSnapshot::FileOf(const Row& row) const {
  return File{PathOf(row),
              std::string_view(row.mode, sizeof row.mode),
              std::string_view(row.path + row.path_length, row.oid_length),
              row.dirty,
              &matchsets_[row.matchset],
              &matchsets_[row.aztec_matchset]};
}

std::optional<SourceSnapshot::File> SourceSnapshot::Find(std::string_view path) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), path,
                             [&](const Row& row, std::string_view p) { return PathOf(row) < p; });
  if (it == rows_.end() || PathOf(*it) != path) return std::nullopt;
  return file(static_cast<size_t>(it - rows_.begin()));
}

Expected<SourceSnapshot> SourceSnapshot::Take(const GitRepository& repo, const PatternIndex& index,
                                              const std::vector<std::string>& dockerfiles,
                                              const SnapshotOptions& options,
                                              SnapshotStart* started) {
  SourceSnapshot snapshot;
  snapshot.matchsets_.emplace_back();
  snapshot.pattern_hits_.assign(index.pattern_count(), 0);
  // What the repository says (the commit, the index, the working tree), begun by the caller
  // where it could, else now; it runs on other threads while the tree is listed here.
  std::optional<SnapshotStart> own;
  if (!started || !started->Serves(options)) started = &own.emplace(repo, options);
  const bool index_may_list = started->index_may_list();
  WorkingTreeScan* scan = started->scan();
  std::string tree;
  auto resolved = started->CommitAndTree();
  if (!resolved) return resolved.error();
  std::tie(snapshot.commit_, tree) = *resolved;
  std::vector<std::string> sorted_dockerfiles = dockerfiles;
  std::sort(sorted_dockerfiles.begin(), sorted_dockerfiles.end());
  size_t dockerfile_cursor = 0;
  std::vector<int> matched, aztec_matched;
  bool out_of_memory = false;
  auto visit = [&](const TreeEntryView& entry) {
    ++snapshot.tree_size_;
    if (!index.Match(entry.path, &matched)) out_of_memory = true;
    for (int id : matched) ++snapshot.pattern_hits_[id];
    const std::vector<int>* aztec = &matched;
    if (options.aztec_paths) {
      std::string field = AwkFieldOfTreePath(entry.path);
      if (field != entry.path) {
        index.Match(field, &aztec_matched);
        aztec = &aztec_matched;
      }
    }
    // Rows arrive sorted by path, so a cursor finds Dockerfiles without a lookup per row.
    while (dockerfile_cursor < sorted_dockerfiles.size() &&
           sorted_dockerfiles[dockerfile_cursor] < entry.path) {
      ++dockerfile_cursor;
    }
    bool is_dockerfile = dockerfile_cursor < sorted_dockerfiles.size() &&
                         sorted_dockerfiles[dockerfile_cursor] == entry.path;
    if (matched.empty() && aztec->empty() && !is_dockerfile) return;
    snapshot.AddRow(entry.path, entry.mode, entry.oid, matched, *aztec, false);
  };
  // Where git's cache tree says the index holds exactly HEAD's tree, the index (read for the
  // scan anyway) is the listing, and git need not list the tree again.
  Status status = Ok();
  bool listed = false;
  if (scan || (!options.working_tree && index_may_list)) {
    listed = scan ? scan->ListIndexAsHead(tree, visit) : started->ListTreeFromIndex(tree, visit);
  }
  if (!listed) {
    status = repo.ListTree(snapshot.commit_, [&](const TreeEntryView& entry) {
      if (scan) scan->AddHeadEntry(entry);
      visit(entry);
    });
  }
  if (options.working_tree) {
    auto changes = started->WorkingTreeChanges();
    if (!changes) return changes.error();
    if (!status) return status.error();
    auto applied = snapshot.ApplyWorkingTree(repo, index, sorted_dockerfiles, std::move(*changes),
                                             options.aztec_paths, options.flag_only);
    if (!applied) return applied.error();
  }
  if (!status) return status.error();
  if (out_of_memory) {
    return Error{"the rebuild patterns need more matcher memory than allowed; simplify them"};
  }
  return snapshot;
}

Status SourceSnapshot::ApplyWorkingTree(const GitRepository& repo, const PatternIndex& index,
                                        const std::vector<std::string>& dockerfiles,
                                        std::vector<WorkingTreeChange> changes, bool aztec_paths,
                                        bool flag_only) {
  std::vector<int> matched, aztec_matched;
  struct Pending {
    WorkingTreeChange change;
    std::vector<int> patterns, aztec_patterns;
  };
  std::vector<Pending> relevant;
  // A path can be reported twice (`git rm --cached f`: deleted from the index, and untracked):
  // the last report is what is on disk.
  {
    std::set<std::string> seen;
    std::vector<WorkingTreeChange> last;
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      if (seen.insert(it->path).second) last.push_back(std::move(*it));
    }
    changes.assign(std::make_move_iterator(last.rbegin()), std::make_move_iterator(last.rend()));
  }
  for (auto& change : changes) {
    index.Match(change.path, &matched);
    aztec_matched = matched;
    if (aztec_paths) {
      std::string field = AwkFieldOfTreePath(change.path);
      if (field != change.path) index.Match(field, &aztec_matched);
    }
    bool is_dockerfile = std::binary_search(dockerfiles.begin(), dockerfiles.end(), change.path);
    bool in_snapshot = Find(change.path).has_value();
    if (matched.empty() && aztec_matched.empty() && !is_dockerfile && !in_snapshot) continue;
    relevant.push_back({std::move(change), matched, aztec_matched});
  }
  if (relevant.empty()) return Ok();

  // Hash what is on disk: regular files and symlinks in one git call, submodules by HEAD.
  // (A change may be a file whose stat data changed and its content not: hashing tells.)
  std::vector<std::string> to_hash;
  std::vector<size_t> hashed_index;
  std::vector<std::string> oids(relevant.size());
  std::vector<std::string> modes(relevant.size());
  for (size_t i = 0; i < relevant.size(); ++i) {
    const auto& change = relevant[i].change;
    if (change.kind == WorkingTreeChange::Kind::kDeleted) continue;
    if (!change.oid.empty()) {  // staged, and the file still holds it
      oids[i] = change.oid;
      modes[i] = change.mode;
      continue;
    }
    std::string mode =
        change.mode.empty() ? ModeOfWorkingFile(repo.root() + "/" + change.path) : change.mode;
    if (mode.empty()) continue;  // vanished since git looked
    modes[i] = mode;
    if (mode == "160000" || change.submodule) {
      // Edits inside a submodule make it dirty too: it is then named by the tree of what is
      // on disk, which the build context is read from.
      auto head = change.submodule_modified ? repo.SubmoduleWorkingTree(change.path)
                                            : repo.SubmoduleHead(change.path);
      if (!head) return head.error();
      oids[i] = *head;
      modes[i] = "160000";
    } else {
      to_hash.push_back(change.path);
      hashed_index.push_back(i);
    }
  }
  auto hashed = repo.HashWorkingFiles(to_hash);
  if (!hashed) return hashed.error();
  for (size_t k = 0; k < hashed_index.size(); ++k) oids[hashed_index[k]] = (*hashed)[k];

  if (flag_only) {
    for (size_t i = 0; i < relevant.size(); ++i) {
      const auto& pending = relevant[i];
      auto committed = Find(pending.change.path);
      bool differs = oids[i].empty() ? committed.has_value()
                                     : !committed || committed->oid != oids[i] ||
                                           committed->mode != std::string_view(modes[i]);
      if (!differs) continue;
      Row row{};
      row.path = Store(pending.change.path, "");
      row.path_length = static_cast<uint32_t>(pending.change.path.size());
      row.dirty = true;
      row.matchset = Intern(pending.patterns);
      row.aztec_matchset = Intern(pending.aztec_patterns);
      dirty_only_.push_back(row);
      dirty_ = true;
    }
    return Ok();
  }

  bool inserted = false;
  const size_t sorted_rows = rows_.size();  // new rows go after these, unsorted until the end
  for (size_t i = 0; i < relevant.size(); ++i) {
    const auto& pending = relevant[i];
    auto sorted_end = rows_.begin() + static_cast<std::ptrdiff_t>(sorted_rows);
    auto it = std::lower_bound(rows_.begin(), sorted_end, std::string_view(pending.change.path),
                               [&](const Row& row, std::string_view p) { return PathOf(row) < p; });
    bool present = it != sorted_end && PathOf(*it) == pending.change.path;
    if (oids[i].empty()) {  // deleted from the working tree
      if (present) {
        it->removed = true;
        dirty_only_.push_back(*it);
        dirty_only_.back().dirty = true;
        dirty_ = true;
      }
      continue;
    }
    if (present) {
      std::string_view old_oid(it->path + it->path_length, it->oid_length);
      if (old_oid == oids[i] && std::string_view(it->mode, 6) == modes[i]) continue;
      it->removed = true;  // replaced by a new row below
    }
    for (int id : pending.patterns) ++pattern_hits_[id];
    AddRow(pending.change.path, modes[i], oids[i], pending.patterns, pending.aztec_patterns, true);
    dirty_ = true;
    inserted = true;
  }
  if (inserted || dirty_) {
    rows_.erase(std::remove_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.removed; }),
                rows_.end());
    std::sort(rows_.begin(), rows_.end(),
              [&](const Row& a, const Row& b) { return PathOf(a) < PathOf(b); });
  }
  return Ok();
}

}  // namespace hoist
