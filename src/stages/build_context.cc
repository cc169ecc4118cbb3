#include "stages/build_context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "docker/dockerfile.h"
#include "source/content_hash.h"
#include "util/files.h"
#include "util/repo_path.h"
#include "util/tar_writer.h"

namespace hoist {
namespace {

// Submodules inside submodules are followed this deep.
constexpr int kMaxSubmoduleDepth = 8;
// A git-lfs pointer file is about 130 bytes; a filtered file this small is checked for one.
constexpr uint64_t kPointerCheckBytes = 1024;
constexpr std::string_view kLfsPointer = "version https://git-lfs.github.com/spec/";

std::string FixFilter(const std::string& filter) {
  if (filter == "lfs") {
    return "install git-lfs (apt-get install git-lfs), then run `git lfs install` and "
           "`git lfs pull` in the repository";
  }
  return "configure git's filter." + filter + " driver as the repository's documentation says";
}

/// Adds the files of the submodule at `path` (repository-relative, in `top`) at `oid` (its
/// recorded commit, or the tree of its working tree) that fall under `prefix`.
Status AddSubmodule(const GitRepository& top, const std::string& path, const std::string& oid,
                    const std::string& prefix, int depth, BuildContext& context) {
  const std::string init = "run: git submodule update --init --recursive " + path;
  if (depth > kMaxSubmoduleDepth) {
    return Error{"submodule '" + path + "' is nested more than " +
                 std::to_string(kMaxSubmoduleDepth) + " deep"};
  }
  auto submodule = GitRepository::Open(top.root() + "/" + path);
  if (!submodule || submodule->root() == top.root()) {
    return Error{"submodule '" + path + "' is not initialised, so its files cannot go into " +
                 "the build context (" + init + ")"};
  }
  const size_t repository = context.repositories.size();
  context.repositories.push_back(path);
  std::vector<std::pair<std::string, std::string>> nested;
  auto listed = submodule->ListTree(oid, [&](const TreeEntryView& entry) {
    std::string full = path + "/" + std::string(entry.path);
    if (full.compare(0, prefix.size(), prefix) != 0) return;
    std::string in_context = full.substr(prefix.size());
    if (IsDockerignored(context.dockerignore, in_context)) return;
    if (entry.mode == "160000") {
      nested.emplace_back(full, std::string(entry.oid));
      return;
    }
    context.entries.push_back({in_context, std::string(entry.mode), std::string(entry.oid),
                               std::string(entry.path), repository, false});
  });
  if (!listed) {
    return Error{"submodule '" + path + "': its recorded commit " + oid.substr(0, 12) +
                 " is not in its clone (" + init + ")"};
  }
  for (const auto& [nested_path, nested_oid] : nested) {
    auto added = AddSubmodule(top, nested_path, nested_oid, prefix, depth + 1, context);
    if (!added) return added;
  }
  return Ok();
}

/// Writes the entries of one repository: committed blobs in one `git cat-file`, uncommitted
/// files from disk.
Status WriteRepository(const GitRepository& repo, const BuildContext& context, size_t repository,
                       TarWriter& tar) {
  std::vector<const ContextEntry*> committed;
  for (const auto& entry : context.entries) {
    if (entry.repository != repository) continue;
    if (!entry.from_disk) {
      committed.push_back(&entry);
      continue;
    }
    const std::string full = repo.root() + "/" + entry.repo_path;
    struct stat info {};
    if (lstat(full.c_str(), &info) != 0) {
      return Error{entry.repo_path + " changed while hoist read it; build again"};
    }
    if (S_ISLNK(info.st_mode)) {
      std::string target(static_cast<size_t>(info.st_size) + 1, '\0');
      ssize_t n = readlink(full.c_str(), target.data(), target.size());
      if (n < 0) return Error{"cannot read the symlink " + entry.repo_path};
      target.resize(static_cast<size_t>(n));
      auto added = tar.AddSymlink(entry.path, target);
      if (!added) return added;
      continue;
    }
    auto content = ReadFile(full);
    if (!content) return content.error();
    auto added = tar.AddFile(entry.path, (info.st_mode & S_IXUSR) != 0, *content);
    if (!added) return added;
  }
  if (committed.empty()) return Ok();

  // A file stored through a filter (git-lfs) must come out as the file, not the pointer git
  // stores: with the filter's driver missing, git would hand out the pointer.
  std::vector<std::string> paths;
  for (const auto* entry : committed) paths.push_back(entry->repo_path);
  auto conversions = repo.Conversions(paths);
  if (!conversions) return conversions.error();
  std::map<std::string, bool> drivers;
  std::vector<size_t> plain, converted;  // what git stores as is; what it converts on checkout
  for (size_t i = 0; i < committed.size(); ++i) {
    const auto& conversion = (*conversions)[i];
    (conversion.filter.empty() && !conversion.other ? plain : converted).push_back(i);
    const std::string& filter = conversion.filter;
    if (filter.empty()) continue;
    auto known = drivers.find(filter);
    if (known == drivers.end()) known = drivers.emplace(filter, repo.HasFilterDriver(filter)).first;
    if (!known->second) {
      return Error{
          committed[i]->repo_path + " is stored through git's '" + filter +
          "' filter (.gitattributes), which this machine's git does not have, so the " +
          "build would get the pointer git stores instead of the file: " + FixFilter(filter)};
    }
  }

  for (const auto* batch : {&plain, &converted}) {
    std::vector<BlobRequest> requests;
    for (size_t i : *batch) requests.push_back({committed[i]->oid, committed[i]->repo_path});
    size_t current = 0;  // index into committed
    bool buffering = false;
    std::string buffer;
    auto flush = [&]() -> Status {
      if (!buffering) return Ok();
      buffering = false;
      const ContextEntry& entry = *committed[current];
      if (entry.mode == "120000") return tar.AddSymlink(entry.path, buffer);
      if (std::string_view(buffer).substr(0, kLfsPointer.size()) == kLfsPointer) {
        return Error{entry.repo_path + " is a git-lfs pointer, not the file it stands for: " +
                     FixFilter((*conversions)[current].filter)};
      }
      return tar.AddFile(entry.path, entry.mode == "100755", buffer);
    };
    auto streamed = repo.StreamBlobs(
        requests,
        [&](size_t i, uint64_t size) -> Status {
          auto flushed = flush();
          if (!flushed) return flushed;
          current = (*batch)[i];
          const ContextEntry& entry = *committed[current];
          if (entry.mode == "120000" ||
              (!(*conversions)[current].filter.empty() && size < kPointerCheckBytes)) {
            buffering = true;
            buffer.clear();
            return Ok();
          }
          return tar.BeginFile(entry.path, entry.mode == "100755", size);
        },
        [&](std::string_view data) -> Status {
          if (buffering) {
            buffer.append(data);
            return Ok();
          }
          return tar.Write(data);
        },
        /*convert=*/batch == &converted);
    if (!streamed) return streamed;
    auto flushed = flush();
    if (!flushed) return flushed;
  }
  return Ok();
}

}  // namespace

Expected<std::vector<std::optional<std::string>>> ReadSnapshotFiles(
    const GitRepository& repo, const SourceSnapshot& snapshot,
    const std::vector<std::string>& paths) {
  std::vector<std::optional<std::string>> contents(paths.size());
  std::vector<BlobRequest> committed;
  std::vector<size_t> committed_index;
  for (size_t i = 0; i < paths.size(); ++i) {
    auto file = snapshot.Find(paths[i]);
    if (!file) continue;
    if (file->dirty) {
      auto content = ReadFile(repo.root() + "/" + paths[i]);
      if (!content) return content.error();
      contents[i] = std::move(*content);
      continue;
    }
    committed.push_back({std::string(file->oid), paths[i]});
    committed_index.push_back(i);
  }
  auto read = repo.ReadBlobs(committed);
  if (!read) return read.error();
  for (size_t i = 0; i < committed.size(); ++i)
    contents[committed_index[i]] = std::move((*read)[i]);
  return contents;
}

Expected<std::optional<std::string>> ReadSnapshotFile(const GitRepository& repo,
                                                      const SourceSnapshot& snapshot,
                                                      const std::string& path) {
  auto contents = ReadSnapshotFiles(repo, snapshot, {path});
  if (!contents) return contents.error();
  return std::move((*contents)[0]);
}

Expected<BuildContext> PlanBuildContext(const Manifest& manifest, const PatternIndex& index,
                                        const SourceSnapshot& snapshot, const GitRepository& repo,
                                        int p) {
  const Project& project = manifest.projects[p];
  BuildContext context;
  context.repositories = {""};
  // BuildKit's rule: <Dockerfile>.dockerignore when there is one, else the context's.
  const auto ignore_files = DockerignoreFiles(project);
  for (const auto& candidate : {ignore_files[1], ignore_files[0]}) {
    auto text = ReadSnapshotFile(repo, snapshot, candidate);
    if (!text) return text.error();
    if (!*text) continue;
    context.dockerignore_file = candidate;
    context.dockerignore = DockerignoreLines(**text);
    break;
  }
  const std::string prefix = project.build_dir == "." ? "" : project.build_dir + "/";
  const auto& covering = index.TransitivePatterns(p);
  const auto hashed = AlwaysHashedFiles(project);
  std::vector<std::pair<std::string, std::string>> gitlinks;
  for (size_t i = 0; i < snapshot.size(); ++i) {
    const auto file = snapshot.file(i);
    const bool covered =
        std::any_of(
            file.patterns->begin(), file.patterns->end(),
            [&](int id) { return std::binary_search(covering.begin(), covering.end(), id); }) ||
        std::find(hashed.begin(), hashed.end(), file.path) != hashed.end();
    if (!covered) continue;
    const std::string path(file.path);
    if (file.mode == "160000") {
      // A submodule in the context, or one the context lies in.
      if (IsUnder(path, project.build_dir) || IsUnder(project.build_dir, path)) {
        gitlinks.emplace_back(path, std::string(file.oid));
      }
      continue;
    }
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string in_context = path.substr(prefix.size());
    if (in_context == ".dockerignore") continue;  // applied here; the context carries its own
    if (in_context == kContextDockerfile ||
        in_context.rfind(std::string(kContextDockerfile) + "/", 0) == 0) {
      return Error{path + ": '" + kContextDockerfile + "' is the name hoist gives the pinned " +
                   "Dockerfile in the build context, so a file of that name would replace it; " +
                   "rename it"};
    }
    if (IsDockerignored(context.dockerignore, in_context)) {
      ++context.ignored;
      continue;
    }
    context.entries.push_back(
        {in_context, std::string(file.mode), std::string(file.oid), path, 0, file.dirty});
  }
  for (const auto& [path, oid] : gitlinks) {
    auto added = AddSubmodule(repo, path, oid, prefix, 0, context);
    if (!added) return added.error();
  }
  return context;
}

Status WriteBuildContext(const GitRepository& repo, const BuildContext& context,
                         const std::string& dockerfile_text, const ByteSink& sink) {
  TarWriter tar(sink);
  // As the docker CLI does for a Dockerfile from outside the context: the daemon removes the
  // files this .dockerignore names before any COPY sees the context.
  auto added =
      tar.AddFile(".dockerignore", false, std::string(kContextDockerfile) + "\n.dockerignore\n");
  if (added) added = tar.AddFile(kContextDockerfile, false, dockerfile_text);
  if (!added) return added;
  for (size_t r = 0; r < context.repositories.size(); ++r) {
    auto opened = r == 0 ? Expected<GitRepository>(repo)
                         : GitRepository::Open(repo.root() + "/" + context.repositories[r]);
    if (!opened) return opened.error();
    auto written = WriteRepository(*opened, context, r, tar);
    if (!written) return written;
  }
  return tar.Finish();
}

}  // namespace hoist
