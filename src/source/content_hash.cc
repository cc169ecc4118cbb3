#include "source/content_hash.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "util/digest.h"

namespace hoist {
namespace {

// v2: records are length-prefixed (no value can forge another record), and buildDir and the
// .dockerignore files are inputs.
constexpr std::string_view kV1Header = "hoist-hash-v2";

/// Projects whose patterns (own, or the transitive union) hit a file, cached per pattern set.
class OwnerCache {
 public:
  OwnerCache(const PatternIndex& index, bool transitive, size_t projects)
      : index_(index), transitive_(transitive), seen_(projects, false) {}

  const std::vector<int>& Owners(const std::vector<int>* patterns) {
    auto [it, added] = cache_.try_emplace(patterns);
    if (added) {
      for (int id : *patterns) {
        for (int p : transitive_ ? index_.TransitiveOwners(id) : index_.Owners(id)) {
          if (!seen_[p]) it->second.push_back(p), seen_[p] = true;
        }
      }
      for (int p : it->second) seen_[p] = false;
    }
    return it->second;
  }

 private:
  const PatternIndex& index_;
  bool transitive_;
  std::vector<bool> seen_;
  std::unordered_map<const std::vector<int>*, std::vector<int>> cache_;
};

/// "<length>:<record>": a record can hold any byte, a NUL or a newline included, and still
/// never read as two.
void AddRecord(Digest& digest, std::string_view record) {
  digest.Update(std::to_string(record.size()));
  digest.Update(":");
  digest.Update(record);
}

/// "<mode> <oid> <path>" into `record`, whose buffer is reused from file to file.
void FileRecord(const SourceSnapshot::File& file, std::string& record) {
  record.clear();
  record.append(file.mode).append(" ").append(file.oid).append(" ").append(file.path);
}

/// "<path> <oid>" of a file that is hashed whether or not a pattern covers it.
std::string FileOrAbsent(const SourceSnapshot& snapshot, const std::string& path, bool* dirty) {
  auto file = snapshot.Find(path);
  if (file && dirty) *dirty = *dirty || file->dirty;
  return path + " " + (file ? std::string(file->oid) : "absent");
}

std::string DockerfileRecord(const SourceSnapshot& snapshot, const Project& project, bool* dirty) {
  return FileOrAbsent(snapshot, project.dockerfile_path, dirty);
}

std::vector<ProjectHash> HashAztec(const Manifest& manifest, const PatternIndex& index,
                                   const SourceSnapshot& snapshot, bool rows) {
  const size_t n = manifest.projects.size();
  OwnerCache owners(index, /*transitive=*/true, n);
  std::vector<size_t> text_length(n, 0);
  std::vector<ProjectHash> hashes(n);
  for (size_t i = 0; i < snapshot.size(); ++i) {
    auto file = snapshot.file(i);
    for (int p : owners.Owners(file.aztec_patterns)) {
      text_length[p] += file.oid.size() + 1 + (rows ? file.mode.size() + file.path.size() + 2 : 0);
      hashes[p].dirty = hashes[p].dirty || file.dirty;
    }
  }
  for (size_t i = 0; i < snapshot.dirty_only_size(); ++i) {
    for (int p : owners.Owners(snapshot.dirty_only_file(i).aztec_patterns)) hashes[p].dirty = true;
  }
  // `awk '{print $3}' | git hash-object --stdin`: a blob of one object id per line.
  std::vector<Digest> digests;
  digests.reserve(n);
  for (size_t p = 0; p < n; ++p) {
    digests.emplace_back(Digest::Algorithm::kSha1);
    std::string header = "blob " + std::to_string(text_length[p]);
    digests[p].Update(header);
    digests[p].Update(std::string_view("\0", 1));
  }
  for (size_t i = 0; i < snapshot.size(); ++i) {
    auto file = snapshot.file(i);
    for (int p : owners.Owners(file.aztec_patterns)) {
      if (rows) {  // "MODE OID PATH"
        digests[p].Update(file.mode);
        digests[p].Update(" ");
      }
      digests[p].Update(file.oid);
      if (rows) {
        digests[p].Update(" ");
        digests[p].Update(file.path);
      }
      digests[p].Update("\n");
    }
  }
  for (size_t p = 0; p < n; ++p) hashes[p].hash = digests[p].Finish();
  return hashes;
}

std::vector<std::pair<std::string, int>> SortedDependencies(const DependencyGraph& graph,
                                                            int project) {
  std::vector<std::pair<std::string, int>> deps;
  for (int d : graph.Dependencies(project)) deps.push_back({graph.Name(d), d});
  std::sort(deps.begin(), deps.end());
  return deps;
}

}  // namespace

std::vector<std::string> DockerignoreFiles(const Project& project) {
  return {project.build_dir == "." ? ".dockerignore" : project.build_dir + "/.dockerignore",
          project.dockerfile_path + ".dockerignore"};
}

std::vector<std::string> AlwaysHashedFiles(const Project& project) {
  std::vector<std::string> files = DockerignoreFiles(project);
  files.insert(files.begin(), project.dockerfile_path);
  return files;
}

std::vector<ProjectHash> HashProjects(const Manifest& manifest, const DependencyGraph& graph,
                                      const PatternIndex& index, const SourceSnapshot& snapshot,
                                      HashScheme scheme, const std::string& platform,
                                      const InjectedArgs* injected, const BaseImages* bases) {
  if (scheme == HashScheme::kAztec || scheme == HashScheme::kAztecRows) {
    return HashAztec(manifest, index, snapshot, scheme == HashScheme::kAztecRows);
  }

  const size_t n = manifest.projects.size();
  std::vector<ProjectHash> hashes(n);
  std::vector<Digest> digests(n);
  for (auto& digest : digests) AddRecord(digest, kV1Header);
  OwnerCache owners(index, /*transitive=*/false, n);
  std::string record;
  for (size_t i = 0; i < snapshot.size(); ++i) {
    auto file = snapshot.file(i);
    const auto& hit = owners.Owners(file.patterns);
    if (hit.empty()) continue;
    FileRecord(file, record);
    for (int p : hit) {
      AddRecord(digests[p], record);
      if (file.dirty) hashes[p].dirty = true;
    }
  }

  for (size_t i = 0; i < snapshot.dirty_only_size(); ++i) {
    auto file = snapshot.dirty_only_file(i);
    for (int p : owners.Owners(file.patterns)) hashes[p].dirty = true;
    for (size_t p = 0; p < n; ++p) {
      for (const auto& path : AlwaysHashedFiles(manifest.projects[p])) {
        if (path == file.path) hashes[p].dirty = true;
      }
    }
  }

  // Dependencies first, so each project can include its dependencies' hashes.
  std::vector<int> waiting(n);
  std::queue<int> ready;
  for (size_t p = 0; p < n; ++p) {
    waiting[p] = static_cast<int>(graph.Dependencies(static_cast<int>(p)).size());
    if (waiting[p] == 0) ready.push(static_cast<int>(p));
  }
  std::vector<bool> done(n, false);
  while (!ready.empty()) {
    int p = ready.front();
    ready.pop();
    const Project& project = manifest.projects[p];
    bool dirty = hashes[p].dirty;
    AddRecord(digests[p], "buildDir " + project.build_dir);
    AddRecord(digests[p], "dockerfile " + DockerfileRecord(snapshot, project, &dirty));
    for (const auto& path : DockerignoreFiles(project)) {
      AddRecord(digests[p], "dockerignore " + FileOrAbsent(snapshot, path, &dirty));
    }
    for (const auto& [name, value] : project.build_args) {
      AddRecord(digests[p], "arg");
      AddRecord(digests[p], name);
      AddRecord(digests[p], value);
    }
    if (injected && static_cast<size_t>(p) < injected->size()) {
      for (const auto& [name, value] : (*injected)[p]) {
        AddRecord(digests[p], "injected");
        AddRecord(digests[p], name);
        AddRecord(digests[p], value);
      }
    }
    if (bases && static_cast<size_t>(p) < bases->records.size()) {
      for (const auto& base : bases->records[p]) {
        AddRecord(digests[p], "base");
        AddRecord(digests[p], base);
      }
      if (!bases->errors[p].empty()) hashes[p].error = bases->errors[p];
    }
    if (!platform.empty()) AddRecord(digests[p], "platform " + platform);
    for (const auto& [name, d] : SortedDependencies(graph, p)) {
      AddRecord(digests[p], "dep " + name + " " + hashes[d].hash);
      dirty = dirty || hashes[d].dirty;
      if (!hashes[d].error.empty() && hashes[p].error.empty()) {
        hashes[p].error = "its dependency '" + name + "' has no hash: " + hashes[d].error;
      }
    }
    hashes[p].hash = hashes[p].error.empty() ? digests[p].Finish() : "";
    hashes[p].dirty = dirty;
    done[p] = true;
    for (int dependent : graph.Dependents(p)) {
      if (--waiting[dependent] == 0) ready.push(dependent);
    }
  }
  auto cycle = graph.FindCycle();
  for (size_t p = 0; p < n; ++p) {
    if (done[p]) continue;
    hashes[p].error = "depends on a dependency cycle (" +
                      (cycle ? graph.FormatCycle(*cycle) : std::string("?")) +
                      "), so its dependencies have no hash; break the cycle in the manifest";
  }
  return hashes;
}

HashInputs CollectHashInputs(const Manifest& manifest, const DependencyGraph& graph,
                             const PatternIndex& index, const SourceSnapshot& snapshot, int project,
                             const std::vector<ProjectHash>& hashes, const std::string& platform,
                             const InjectedArgs* injected, const BaseImages* bases) {
  HashInputs inputs;
  const auto& own = index.OwnPatterns(project);
  for (size_t i = 0; i < snapshot.size(); ++i) {
    auto file = snapshot.file(i);
    bool hit = std::any_of(file.patterns->begin(), file.patterns->end(),
                           [&](int id) { return std::binary_search(own.begin(), own.end(), id); });
    if (hit) {
      std::string record;
      FileRecord(file, record);
      inputs.files.push_back(std::move(record));
    }
  }
  inputs.build_dir = manifest.projects[project].build_dir;
  inputs.dockerfile = DockerfileRecord(snapshot, manifest.projects[project], nullptr);
  for (const auto& path : DockerignoreFiles(manifest.projects[project])) {
    inputs.dockerignore.push_back(FileOrAbsent(snapshot, path, nullptr));
  }
  for (const auto& [name, value] : manifest.projects[project].build_args) {
    inputs.build_args.push_back(name + "=" + value);
  }
  if (injected && static_cast<size_t>(project) < injected->size()) {
    for (const auto& [name, value] : (*injected)[project]) {
      inputs.injected.push_back(name + "=" + value);
    }
  }
  if (bases && static_cast<size_t>(project) < bases->records.size()) {
    inputs.bases = bases->records[project];
  }
  inputs.platform = platform;
  for (const auto& [name, d] : SortedDependencies(graph, project)) {
    inputs.dependencies.push_back({name, hashes[d].hash});
  }
  return inputs;
}

}  // namespace hoist
