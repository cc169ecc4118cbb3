#include "source/working_tree_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace hoist {
namespace {

/// Above this many files to hash, `git status` is asked instead: it hashes them as fast and
/// writes their fresh stat data back to the index, so the next scan finds them clean (after
/// a clone or checkout every file written in the index's second is "racily clean").
constexpr size_t kMostFilesToHash = 1000;
/// Paths outside the index handed to one `git ls-files` (its command line) at most.
constexpr size_t kMostCandidates = 2000;
constexpr size_t kMostCandidateBytes = 256 << 10;
/// The walk's threads (it stats and reads directories, waiting on the kernel as much as
/// computing); the tree listing shares the machine with them.
constexpr size_t kWalkThreads = 2;

/// hoist's own logs are never an input (`git status -- . ':(exclude).hoist'`).
bool IsHoistLog(std::string_view path) {
  return path == ".hoist" || path.starts_with(".hoist/");
}

std::string_view PathOf(const IndexEntry* entry) {
  return entry->path;
}

std::string_view PathOf(const std::string& path) {
  return path;
}

/// An object id's 20 bytes from its lowercase hex; false when `hex` is not one.
bool ParseOid(std::string_view hex, uint8_t* oid) {
  if (hex.size() != 40) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 20; ++i) {
    int high = nibble(hex[2 * i]), low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    oid[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

constexpr uint32_t kModeFile = 0100644, kModeExecutable = 0100755, kModeLink = 0120000,
                   kModeGitlink = 0160000;

}  // namespace

WorkingTreeScan::WorkingTreeScan(WorkingTreeScan&&) noexcept = default;
WorkingTreeScan& WorkingTreeScan::operator=(WorkingTreeScan&&) noexcept = default;
WorkingTreeScan::~WorkingTreeScan() {
  if (queue_) {
    // Unfinished (a command failed before it needed the scan): the walkers stop after the
    // directory each is reading.
    std::lock_guard lock(queue_->mutex);
    queue_->stopped = true;
  }
  if (queue_) queue_->changed.notify_all();
  if (loaded_.valid()) loaded_.wait();  // it starts the walkers
  for (auto& walker : walkers_) {
    if (walker.valid()) walker.wait();
  }
  if (settings_.valid()) settings_.wait();
  if (root_fd_ >= 0) close(root_fd_);
}

std::optional<WorkingTreeScan> WorkingTreeScan::Open(const std::string& root, std::string* why) {
  // git would look elsewhere than the scan does.
  for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
                           "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES"}) {
    if (std::getenv(name) != nullptr) {
      *why = std::string(name) + " is set";
      return std::nullopt;
    }
  }
  // The index of a plain clone; a worktree's or a submodule's .git is a file pointing
  // elsewhere, and those are left to git.
  struct stat git_dir {};
  if (stat((root + "/.git").c_str(), &git_dir) != 0 || !S_ISDIR(git_dir.st_mode)) {
    *why = "the .git of this work tree is not a directory (a worktree or submodule)";
    return std::nullopt;
  }
  WorkingTreeScan scan;
  scan.root_ = root;
  return scan;
}

std::string WorkingTreeScan::Load() {
  auto index = GitIndex::Read(root_ + "/.git/index");
  if (!index) return index.error().message;
  index_ = std::move(*index);
  entries_.reserve(index_.entries().size());
  for (const IndexEntry& entry : index_.entries()) {
    // A submodule's state takes a status inside it.
    if (entry.mode == kModeGitlink) return "the repository has submodules";
    if (IsHoistLog(entry.path)) continue;
    entries_.push_back(&entry);
  }
  // The index keeps entries sorted by path, then stage; the lookups below rely on it.
  for (size_t i = 1; i < entries_.size(); ++i) {
    if (PathOf(entries_[i - 1]) > PathOf(entries_[i])) return "the index is not sorted by path";
  }
  disk_.assign(entries_.size(), Disk::kClean);
  head_.assign(entries_.size(), Head::kAdded);
  seen_.assign(entries_.size(), 0);
  return "";
}

std::string WorkingTreeScan::CheckSettings() const {
  // As git reads them (includes, GIT_CONFIG_* and -c settings too): where git would compare
  // paths without case, or ignore the file system's modes and symlinks, the scan's
  // byte-exact comparison is not git's.
  const std::string listed = repo_->Output(
      {"config", "--type=bool", "-z", "--get-regexp", "^core\\.(ignorecase|filemode|symlinks)$"});
  bool ignore_case = false, file_mode = true, symlinks = true;
  size_t start = 0;
  while (start < listed.size()) {
    size_t end = listed.find('\0', start);
    if (end == std::string::npos) end = listed.size();
    std::string_view record(listed.data() + start, end - start);
    size_t newline = record.find('\n');
    std::string_view key = record.substr(0, newline);
    const bool value = newline != std::string_view::npos && record.substr(newline + 1) == "true";
    if (key == "core.ignorecase") ignore_case = value;
    if (key == "core.filemode") file_mode = value;
    if (key == "core.symlinks") symlinks = value;
    start = end + 1;
  }
  if (ignore_case || !file_mode || !symlinks) {
    return "core.ignorecase, core.filemode or core.symlinks is not git's default";
  }
  return "";
}

Expected<std::vector<std::string>> WorkingTreeScan::NotIgnored(
    const std::vector<std::string>& candidates) const {
  // git's own ignore rules, asked of git for just these paths: everything not in the index
  // that the walk met, each untracked directory as one path (git walks into it).
  std::vector<std::string> args = {"--literal-pathspecs", "ls-files", "-z", "--others",
                                   "--exclude-standard",  "--"};
  args.insert(args.end(), candidates.begin(), candidates.end());
  auto listed = repo_->Run(args);
  if (!listed) return listed.error();
  std::vector<std::string> untracked;
  size_t start = 0;
  while (start < listed->size()) {
    size_t end = listed->find('\0', start);
    if (end == std::string::npos) end = listed->size();
    std::string path = listed->substr(start, end - start);
    start = end + 1;
    // A repository inside the work tree is not its files: git lists it as "dir/".
    if (path.empty() || path.back() == '/' || IsHoistLog(path)) continue;
    untracked.push_back(std::move(path));
  }
  return untracked;
}

void WorkingTreeScan::Start(const GitRepository& repo, Fallback fallback) {
  repo_ = &repo;
  fallback_ = std::move(fallback);
  root_fd_ = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  queue_ = std::make_unique<WalkQueue>();
  queue_->pending.push_back({"", true});
  settings_ = std::async(std::launch::async, [this] { return CheckSettings(); }).share();
  // The index is read while the caller lists HEAD; where the scan declines the repository,
  // the fallback starts at once, on this thread, as early as it would have without the scan.
  loaded_ = std::async(std::launch::async, [this] {
              declined_ = Load();
              if (!declined_.empty()) {
                fallen_back_.emplace(fallback_());
                return;
              }
              for (size_t i = 0; i < kWalkThreads; ++i) {
                walkers_.push_back(std::async(std::launch::async, [this] { return Walk(); }));
              }
            }).share();
}

WorkingTreeScan::Disk WorkingTreeScan::Compare(const IndexEntry* entry,
                                               const struct stat& st) const {
  bool same_type = S_ISLNK(st.st_mode) ? entry->mode == kModeLink
                   : S_ISREG(st.st_mode)
                       ? (entry->mode == kModeFile || entry->mode == kModeExecutable)
                       : false;
  if (!same_type) {
    // Anything but a file or symlink where the file was: git reports it deleted.
    return S_ISLNK(st.st_mode) || S_ISREG(st.st_mode) ? Disk::kChanged : Disk::kMissing;
  }
  bool executable_now = (st.st_mode & S_IXUSR) != 0;
  bool changed = (S_ISREG(st.st_mode) && executable_now != (entry->mode == kModeExecutable)) ||
                 entry->mtime_sec != static_cast<uint32_t>(st.st_mtim.tv_sec) ||
                 entry->mtime_nsec != static_cast<uint32_t>(st.st_mtim.tv_nsec) ||
                 entry->ctime_sec != static_cast<uint32_t>(st.st_ctim.tv_sec) ||
                 entry->ctime_nsec != static_cast<uint32_t>(st.st_ctim.tv_nsec) ||
                 entry->ino != static_cast<uint32_t>(st.st_ino) ||
                 entry->uid != static_cast<uint32_t>(st.st_uid) ||
                 entry->gid != static_cast<uint32_t>(st.st_gid) ||
                 entry->size != static_cast<uint32_t>(st.st_size) ||
                 // Intent-to-add entries record no content; conflicted paths have no stage 0.
                 entry->intent_to_add() || entry->stage() != 0 ||
                 // Racily clean: written in the second the index was, the file may have changed
                 // since without its stat data showing it (git's rule, to the second).
                 static_cast<int64_t>(entry->mtime_sec) >= index_.mtime_sec();
  return changed ? Disk::kChanged : Disk::kClean;
}

size_t WorkingTreeScan::LowerBound(std::string_view path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), path,
                             [](const IndexEntry* e, std::string_view p) { return PathOf(e) < p; });
  return static_cast<size_t>(it - entries_.begin());
}

std::vector<std::string> WorkingTreeScan::Walk() {
  std::vector<std::string> untracked;
  while (true) {
    Directory directory;
    {
      std::unique_lock lock(queue_->mutex);
      queue_->changed.wait(
          lock, [&] { return queue_->stopped || !queue_->pending.empty() || queue_->busy == 0; });
      // None queued and no walker to queue more, or no one will read the answer.
      if (queue_->stopped || queue_->pending.empty()) return untracked;
      directory = std::move(queue_->pending.back());
      queue_->pending.pop_back();
      ++queue_->busy;
    }
    std::vector<Directory> found;
    ReadDirectory(directory, &found, &untracked);
    {
      std::lock_guard lock(queue_->mutex);
      for (auto& next : found) queue_->pending.push_back(std::move(next));
      --queue_->busy;
    }
    queue_->changed.notify_all();
  }
}

void WorkingTreeScan::ReadDirectory(const Directory& directory, std::vector<Directory>* found,
                                    std::vector<std::string>* untracked) {
  int fd = directory.path.empty()
               ? dup(root_fd_)
               : openat(root_fd_, directory.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // gone, or unreadable: its tracked files are missing, as git finds them
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    close(fd);
    return;
  }
  const std::string prefix = directory.path.empty() ? "" : directory.path + "/";
  std::string path;
  while (dirent* item = readdir(dir)) {
    std::string_view name = item->d_name;
    if (name == "." || name == ".." || name == ".git") continue;
    path.assign(prefix).append(name);
    if (directory.path.empty() && IsHoistLog(path)) continue;
    unsigned char type = item->d_type;
    struct stat st {};
    bool stat_done = false;
    if (type == DT_UNKNOWN) {
      if (fstatat(fd, item->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      stat_done = true;
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_UNKNOWN;
    }
    if (directory.tracked) {
      size_t at = LowerBound(path);
      if (at < entries_.size() && PathOf(entries_[at]) == path && type != DT_DIR) {
        // A tracked file: its stat data against the index's, from this directory's handle.
        if (!stat_done && fstatat(fd, item->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        for (; at < entries_.size() && PathOf(entries_[at]) == path; ++at) {
          seen_[at] = 1;
          disk_[at] = Compare(entries_[at], st);
        }
        continue;
      }
      if (type == DT_DIR) {
        // (A tracked file's path as a directory: the file is missing, the directory new.)
        size_t under = LowerBound(path + "/");
        if (under < entries_.size() && PathOf(entries_[under]).starts_with(path + "/")) {
          found->push_back({path, true});
          continue;
        }
      }
    }
    // Not in the index: a candidate, which git's ignore rules decide (NotIgnored); an
    // untracked directory is one candidate, not walked here.
    if (type != DT_DIR && type != DT_REG && type != DT_LNK) continue;  // fifos: git skips them
    untracked->push_back(path);
  }
  closedir(dir);
}

void WorkingTreeScan::AddHeadEntry(const TreeEntryView& entry) {
  if (!waited_) {
    loaded_.wait();  // the index, read meanwhile
    waited_ = true;
  }
  if (!declined_.empty()) return;
  if (IsHoistLog(entry.path)) return;
  if (!last_head_path_.empty() && entry.path <= last_head_path_) head_unusable_ = true;
  last_head_path_.assign(entry.path);
  const size_t n = entries_.size();
  while (head_cursor_ < n && PathOf(entries_[head_cursor_]) < entry.path) ++head_cursor_;
  if (head_cursor_ == n || PathOf(entries_[head_cursor_]) != entry.path) {
    head_only_.emplace_back(entry.path);
    return;
  }
  uint8_t head_oid[20] = {};
  if (!ParseOid(entry.oid, head_oid)) head_unusable_ = true;
  uint32_t head_mode = 0;
  for (char digit : entry.mode) head_mode = head_mode * 8 + static_cast<uint32_t>(digit - '0');
  for (size_t i = head_cursor_; i < n && PathOf(entries_[i]) == entry.path; ++i) {
    const IndexEntry* index_entry = entries_[i];
    bool same = index_entry->stage() == 0 && head_mode == index_entry->mode &&
                std::memcmp(head_oid, index_entry->oid, sizeof head_oid) == 0;
    head_[i] = same ? Head::kSame : Head::kDiffers;
  }
}

Expected<std::vector<WorkingTreeChange>> WorkingTreeScan::Finish() {
  loaded_.get();
  if (fallen_back_) return std::move(*fallen_back_);
  auto scanned = Scanned();
  if (scanned) return std::move(*scanned);
  return fallback_();
}

bool WorkingTreeScan::ListIndexAsHead(const std::string& head_tree,
                                      const std::function<void(const TreeEntryView&)>& visit) {
  loaded_.wait();
  waited_ = true;
  if (!declined_.empty() || !index_.ListAsTree(head_tree, visit)) return false;
  // Intent-to-add entries are left out of the cache tree: they are not HEAD's.
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i]->intent_to_add()) head_[i] = Head::kSame;
  }
  return true;
}

std::optional<std::vector<WorkingTreeChange>> WorkingTreeScan::Scanned() {
  std::vector<std::string> untracked;
  for (auto& walker : walkers_) {
    for (auto& path : walker.get()) untracked.push_back(std::move(path));
  }
  walkers_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) {
    const IndexEntry* entry = entries_[i];
    // Assume-unchanged and skip-worktree entries are what the index says, as git status
    // takes them; any other entry the walk did not meet is missing from disk.
    if (entry->assume_valid() || entry->skip_worktree()) {
      disk_[i] = Disk::kClean;
    } else if (!seen_[i]) {
      disk_[i] = Disk::kMissing;
    }
  }
  if (head_unusable_) declined_ = "HEAD's listing is not in the index's order";
  if (declined_.empty()) declined_ = settings_.get();
  if (declined_.empty() && !untracked.empty()) {
    size_t bytes = 0;
    for (const auto& path : untracked) bytes += path.size() + 1;
    if (untracked.size() > kMostCandidates || bytes > kMostCandidateBytes) {
      declined_ =
          std::to_string(untracked.size()) + " paths outside the index: git status lists them";
    } else {
      auto not_ignored = NotIgnored(untracked);
      if (!not_ignored) {
        declined_ = not_ignored.error().message;
      } else {
        untracked = std::move(*not_ignored);
      }
    }
  }
  size_t to_hash = untracked.size();
  for (Disk state : disk_) to_hash += state == Disk::kChanged;
  if (declined_.empty() && to_hash > kMostFilesToHash) {
    declined_ =
        std::to_string(to_hash) + " files to hash: git, which refreshes the index, is faster";
  }
  if (!declined_.empty()) return std::nullopt;

  std::vector<WorkingTreeChange> changes;
  // Deletions first: a path removed from the index but on disk is reported again as
  // untracked below, and the last report of a path is what is on disk.
  for (auto& path : head_only_) {
    changes.push_back({WorkingTreeChange::Kind::kDeleted, "", false, std::move(path), false, ""});
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    const IndexEntry* entry = entries_[i];
    // A conflicted path has up to three entries: it is reported once, from disk.
    if (i > 0 && PathOf(entries_[i - 1]) == PathOf(entry)) continue;
    WorkingTreeChange change;
    change.path = entry->path;
    if (disk_[i] == Disk::kMissing) {
      change.kind = WorkingTreeChange::Kind::kDeleted;
    } else if (disk_[i] == Disk::kChanged) {
      change.kind = WorkingTreeChange::Kind::kModified;  // its mode and blob come from disk
    } else if (head_[i] != Head::kSame) {
      change.kind = WorkingTreeChange::Kind::kModified;  // staged: the index has the blob
      change.mode = entry->mode_text();
      change.oid = entry->oid_hex();
    } else {
      continue;
    }
    changes.push_back(std::move(change));
  }
  for (const auto& path : untracked) {
    changes.push_back({WorkingTreeChange::Kind::kUntracked, "", false, path, false, ""});
  }
  untracked_ = std::move(untracked);
  std::sort(untracked_.begin(), untracked_.end());
  answered_ = true;
  return changes;
}

std::optional<std::vector<std::string>> WorkingTreeScan::Files(
    const std::vector<std::string>& directories) const {
  if (!answered_) return std::nullopt;
  std::vector<std::string> files;
  auto add = [&files](auto begin, auto end) {
    for (auto it = begin; it != end; ++it) files.emplace_back(PathOf(*it));
  };
  // The items of a sorted list that are `path` (exact) or that start with it.
  auto range = [](const auto& sorted, std::string_view path, bool exact) {
    auto begin =
        std::lower_bound(sorted.begin(), sorted.end(), path,
                         [](const auto& item, std::string_view p) { return PathOf(item) < p; });
    auto end = begin;
    while (end != sorted.end() && (exact ? PathOf(*end) == path : PathOf(*end).starts_with(path))) {
      ++end;
    }
    return std::make_pair(begin, end);
  };
  for (const auto& directory : directories) {
    if (directory.empty() || directory == ".") {
      add(entries_.begin(), entries_.end());
      add(untracked_.begin(), untracked_.end());
      continue;
    }
    // The directory's own path (a file where the manifest names a directory), then under it.
    for (bool exact : {true, false}) {
      const std::string path = exact ? directory : directory + "/";
      auto [begin, end] = range(entries_, path, exact);
      add(begin, end);
      auto [first, last] = range(untracked_, path, exact);
      add(first, last);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace hoist
