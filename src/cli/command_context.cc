#include "cli/command_context.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "manifest/manifest_loader.h"
#include "source/content_hash.h"
#include "stages/injected_args.h"
#include "store/local_engine_store.h"
#include "util/edit_distance.h"

namespace hoist {

void Warn(const std::string& message) {
  std::cerr << "hoist: warning: " << message << "\n";
}

const GitRepository& CommandContext::repo() {
  if (!repo_) {
    std::error_code ec;
    if (!std::filesystem::is_directory(directory, ec)) {
      throw CommandFailure{kExitUsage, "hoist: error: -C " + directory + ": no such directory"};
    }
    auto opened = GitRepository::Open(directory);
    if (!opened) throw CommandFailure{kExitFailure, "hoist: error: " + opened.error().message};
    repo_.emplace(std::move(*opened));
  }
  return *repo_;
}

const Manifest& CommandContext::manifest() {
  if (!manifest_) {
    ManifestLocation location{repo().root(), manifest_path};
    if (!manifest_path.empty() && std::filesystem::path(manifest_path).is_relative()) {
      location.manifest_path = (std::filesystem::path(directory) / manifest_path).string();
    }
    auto loaded = LoadManifest(location);
    size_t errors = 0;
    for (const auto& diagnostic : loaded.diagnostics) {
      std::cerr << FormatDiagnostic(diagnostic) << "\n";
      if (diagnostic.severity == Severity::kError) ++errors;
    }
    if (!loaded.manifest) {
      throw CommandFailure{kExitFailure, "hoist: error: the manifest has " +
                                             std::to_string(errors) + " error" +
                                             (errors == 1 ? "" : "s") + "; nothing was done"};
    }
    manifest_.emplace(std::move(*loaded.manifest));
  }
  return *manifest_;
}

const DependencyGraph& CommandContext::graph() {
  if (!graph_) graph_ = std::make_unique<DependencyGraph>(manifest());
  return *graph_;
}

const HoistConfig& CommandContext::config() {
  if (!config_) {
    auto loaded = LoadHoistConfig(repo().root());
    if (!loaded) throw CommandFailure{kExitFailure, "hoist: " + loaded.error().message};
    config_ = std::move(*loaded);
  }
  return *config_;
}

const PatternIndex& CommandContext::patterns() {
  if (!patterns_) {
    auto built = PatternIndex::Build(manifest(), graph());
    if (!built) throw CommandFailure{kExitFailure, "hoist: error: " + built.error().message};
    patterns_.emplace(std::move(*built));
  }
  return *patterns_;
}

SourceSnapshot CommandContext::Snapshot(const SnapshotOptions& options) {
  std::vector<std::string> dockerfiles;
  for (const auto& project : manifest().projects) {
    for (const auto& path : AlwaysHashedFiles(project)) dockerfiles.push_back(path);
  }
  auto snapshot = SourceSnapshot::Take(repo(), patterns(), dockerfiles, options);
  if (!snapshot) throw CommandFailure{kExitFailure, "hoist: error: " + snapshot.error().message};
  return std::move(*snapshot);
}

void CommandContext::WarnUnmatchedPatterns(const SourceSnapshot& snapshot,
                                           const std::vector<int>& projects) {
  const PatternIndex& index = patterns();
  // One warning per pattern, naming every selected project that declares it.
  std::map<int, std::vector<std::string>> unmatched;
  for (int p : projects) {
    for (int id : index.OwnPatterns(p)) {
      if (snapshot.pattern_hits()[id] == 0) unmatched[id].push_back(manifest().projects[p].name);
    }
  }
  for (const auto& [id, owners] : unmatched) {
    const Project& first = *manifest().Find(owners.front());
    std::string where =
        first.rebuild_patterns_file.empty() ? manifest().file : first.rebuild_patterns_file;
    std::string names;
    for (const auto& name : owners) names += (names.empty() ? "'" : ", '") + name + "'";
    Warn(where + ": rebuild pattern '" + index.pattern(id) + "' of " +
         (owners.size() == 1 ? "project " : "projects ") + names + " matches no file at " +
         snapshot.commit().substr(0, 12) + " (a typo, or a directory that moved?)");
  }
}

const PipelineFacts& CommandContext::facts() {
  if (!facts_) {
    auto detected = DetectPipelineFacts(repo(), {}, ProcessEnv);
    if (!detected) throw CommandFailure{kExitFailure, "hoist: error: " + detected.error().message};
    facts_ = std::move(*detected);
  }
  return *facts_;
}

std::string CommandContext::CommitTag() {
  if (!commit_tag_override.empty()) return commit_tag_override;
  std::string from_env = ProcessEnv("COMMIT_TAG");
  return from_env.empty() ? facts().tag : from_env;
}

InjectedArgs CommandContext::Injected(const SourceSnapshot& snapshot) {
  const auto& projects = manifest().projects;
  std::vector<std::string> texts(projects.size());
  // Committed Dockerfiles from git in one `git cat-file --batch`; changed ones from disk.
  std::vector<size_t> from_git;
  std::string batch;
  for (size_t p = 0; p < projects.size(); ++p) {
    auto file = snapshot.Find(projects[p].dockerfile_path);
    if (!file) continue;
    if (file->dirty) {
      std::ifstream in(repo().root() + "/" + projects[p].dockerfile_path);
      texts[p] = std::string(std::istreambuf_iterator<char>(in), {});
      continue;
    }
    from_git.push_back(p);
    batch += std::string(file->oid) + "\n";
  }
  if (!from_git.empty()) {
    auto out = repo().Run({"cat-file", "--batch"}, batch);
    if (!out) throw CommandFailure{kExitFailure, "hoist: error: " + out.error().message};
    size_t at = 0;
    for (size_t p : from_git) {
      size_t header_end = out->find('\n', at);
      if (header_end == std::string::npos) break;
      const std::string header = out->substr(at, header_end - at);
      at = header_end + 1;
      size_t space = header.rfind(' ');
      if (header.find(" missing") != std::string::npos || space == std::string::npos) continue;
      const size_t size = std::stoul(header.substr(space + 1));
      texts[p] = out->substr(at, size);
      at += size + 1;
    }
  }
  return InjectedArgValues(texts, snapshot.commit(), CommitTag());
}

std::vector<ProjectHash> CommandContext::Hashes(const SourceSnapshot& snapshot, HashScheme scheme,
                                                const std::string& platform) {
  if (scheme == HashScheme::kAztec) {
    return HashProjects(manifest(), graph(), patterns(), snapshot, scheme, platform);
  }
  const InjectedArgs injected = Injected(snapshot);
  return HashProjects(manifest(), graph(), patterns(), snapshot, scheme, platform, &injected);
}

std::string CommandContext::SubmoduleStatus() {
  if (!std::filesystem::exists(repo().root() + "/.gitmodules")) return "";
  auto status = repo().Run({"submodule", "status"});
  return status ? *status : "";
}

std::vector<UncoveredInput> CommandContext::UncoveredInputs(const std::vector<int>& projects) {
  // Every file docker would see: tracked, untracked and git-ignored ones alike.
  auto listed = repo().Run({"ls-files", "-z", "--cached", "--others"});
  if (!listed) throw CommandFailure{kExitFailure, "hoist: error: " + listed.error().message};
  std::vector<std::string> files;
  for (size_t start = 0, end; (end = listed->find('\0', start)) != std::string::npos;
       start = end + 1) {
    files.push_back(listed->substr(start, end - start));
  }
  const std::string root = repo().root();
  return FindUncoveredInputs(manifest(), patterns(), files, projects,
                             [&](const std::string& path) -> std::optional<std::string> {
                               std::ifstream in(root + "/" + path);
                               if (!in) return std::nullopt;
                               return std::string(std::istreambuf_iterator<char>(in), {});
                             });
}

std::string CommandContext::LogDirectory() {
  return repo().root() + "/.hoist/logs";
}

std::vector<int> CommandContext::SelectProjects(const std::vector<std::string>& names) {
  std::vector<int> selected;
  for (const auto& name : names) selected.push_back(ProjectIndex(name));
  if (names.empty()) {
    for (size_t p = 0; p < manifest().projects.size(); ++p) selected.push_back(static_cast<int>(p));
  }
  return selected;
}

int CommandContext::ProjectIndex(const std::string& name) {
  int index = manifest().IndexOf(name);
  if (index >= 0) return index;
  std::string close = ClosestName(name, manifest().Names());
  throw CommandFailure{
      kExitFailure,
      "hoist: error: unknown project '" + name + "' in " + manifest().file +
          (close.empty() ? "; 'hoist projects' lists them" : "; did you mean '" + close + "'?")};
}

}  // namespace hoist

namespace hoist {

std::unique_ptr<DistributionClient> CommandContext::ClientFor(const std::string& host) {
  if (!http_) {
    HttpOptions options;
    options.http2 = http2;
    options.ca_file = registry_ca;
    http_ = std::make_unique<HttpClient>(options);
  }
  auto credentials = CredentialStore::Load();
  if (!credentials)
    throw CommandFailure{kExitFailure, "hoist: error: " + credentials.error().message};
  RegistryOptions options;
  options.insecure_hosts = insecure_registries;
  if (verbose)
    options.log = [](const std::string& line) { std::cerr << "hoist: " << line << "\n"; };
  return std::make_unique<DistributionClient>(host, *http_, std::move(*credentials), options);
}

std::unique_ptr<RegistryStore> CommandContext::OpenRegistry(const std::string& text,
                                                            const std::string& what) {
  auto location = RegistryLocation::Parse(text);
  if (!location) {
    throw CommandFailure{kExitUsage, "hoist: error: " + what + ": " + location.error().message};
  }
  auto client = ClientFor(location->host);
  return std::make_unique<RegistryStore>(*location, std::move(client));
}

ImageStore& CommandContext::Store() {
  if (!store_) {
    if (registry.empty()) {
      store_ = std::make_unique<LocalEngineStore>();
    } else {
      store_ = OpenRegistry(registry, "--registry");
    }
  }
  return *store_;
}

RegistryStore& CommandContext::DeployStore() {
  if (!deploy_store_) {
    if (deploy_registry.empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: no deploy registry; give --deploy-registry HOST[/PREFIX] "
                           "or set HOIST_DEPLOY_REGISTRY"};
    }
    deploy_store_ = OpenRegistry(deploy_registry, "--deploy-registry");
  }
  return *deploy_store_;
}

}  // namespace hoist
