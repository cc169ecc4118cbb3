#include "cli/command_context.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/build_output.h"
#include "docker/docker_engine_api.h"
#include "docker/dockerfile.h"
#include "manifest/manifest_loader.h"
#include "oci/image_reference.h"
#include "source/content_hash.h"
#include "stages/build_context.h"
#include "stages/injected_args.h"
#include "store/local_engine_store.h"
#include "store/untrusted_store.h"
#include "util/edit_distance.h"
#include "util/files.h"
#include "util/text.h"

namespace hoist {

void Warn(const std::string& message) {
  SayOwnLine("hoist: warning: " + message);
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

std::vector<std::string> CommandContext::ManifestWarningsAbout(const std::string& name) const {
  std::vector<std::string> said;
  const std::string about = "project '" + name + "': unknown key";
  for (const auto& diagnostic : manifest_warnings_) {
    if (diagnostic.message.rfind(about, 0) == 0) said.push_back(FormatDiagnostic(diagnostic));
  }
  return said;
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
      if (diagnostic.severity == Severity::kWarning) manifest_warnings_.push_back(diagnostic);
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

void CommandContext::BeginSnapshot(const SnapshotOptions& options) {
  try {
    started_ = std::make_unique<SnapshotStart>(repo(), options);
  } catch (const CommandFailure&) {
    // No repository: said where the command needs it, in its order.
  }
}

SourceSnapshot CommandContext::Snapshot(const SnapshotOptions& options) {
  std::vector<std::string> dockerfiles;
  for (const auto& project : manifest().projects) {
    for (const auto& path : AlwaysHashedFiles(project)) dockerfiles.push_back(path);
  }
  std::unique_ptr<SnapshotStart> started = std::move(started_);  // used once
  auto snapshot = SourceSnapshot::Take(repo(), patterns(), dockerfiles, options, started.get());
  if (!listing_decided_) {
    listing_decided_ = true;
    if (snapshot && started && started->Serves(options) && options.working_tree) {
      listing_ = std::move(started);
    }
  }
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
    Warn(where + ": rebuild pattern '" + Elided(index.pattern(id)) + "' of " +
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

const std::vector<std::string>& CommandContext::DockerfileTexts(const SourceSnapshot& snapshot) {
  // Read once per snapshot: committed Dockerfiles in one `git cat-file`, changed ones from disk.
  const std::string key = snapshot.commit() + (snapshot.dirty() ? "+dirty" : "");
  if (key == texts_commit_ && !texts_.empty()) return texts_;
  const auto& projects = manifest().projects;
  std::vector<std::string> paths;
  for (const auto& project : projects) paths.push_back(project.dockerfile_path);
  auto texts = ReadSnapshotFiles(repo(), snapshot, paths);
  if (!texts) throw CommandFailure{kExitFailure, "hoist: error: " + texts.error().message};
  texts_.assign(projects.size(), "");
  for (size_t p = 0; p < projects.size(); ++p) texts_[p] = (*texts)[p].value_or("");
  texts_commit_ = key;
  return texts_;
}

InjectedArgs CommandContext::Injected(const SourceSnapshot& snapshot) {
  // The commit's tag takes git (and the CI's variables) to find: only asked for when a
  // Dockerfile declares COMMIT_TAG.
  const auto& texts = DockerfileTexts(snapshot);
  const bool wants_tag = std::any_of(texts.begin(), texts.end(), [](const std::string& text) {
    auto names = DeclaredArgs(text);
    return std::find(names.begin(), names.end(), "COMMIT_TAG") != names.end();
  });
  return InjectedArgValues(texts, snapshot.commit(), wants_tag ? CommitTag() : "");
}

const ResolvedBases& CommandContext::Bases(const SourceSnapshot& snapshot) {
  DockerfileTexts(snapshot);
  if (!bases_ || bases_key_ != texts_commit_) {
    bases_key_ = texts_commit_;
    bases_ = ResolvedBases::Resolve(
        manifest(), DockerfileTexts(snapshot),
        [this](const std::string& reference) { return ResolveImage(reference); });
  }
  return *bases_;
}

Expected<ResolvedImage> CommandContext::ResolveImage(const std::string& reference) {
  const size_t at = reference.find('@');
  if (at != std::string::npos)
    return ResolvedImage{reference.substr(at + 1), false, "the Dockerfile"};
  auto parsed = ImageReference::Parse(reference);
  if (!parsed) return parsed.error();
  std::string registry_error;
  if (!parsed->host.empty()) {  // the team's registry: a tag moved there is a new hash at once
    auto digest = ClientFor(parsed->host)->HeadManifest(parsed->repository, parsed->reference);
    if (digest && *digest) return ResolvedImage{**digest, false, "registry " + parsed->host};
    registry_error = digest
                         ? parsed->host + " has no " + parsed->repository + ":" + parsed->reference
                         : digest.error().message;
  }
  // What `docker build` itself would use: the engine's image, when it has one.
  // No engine at all (a CI runner without Docker that has nothing to build) is an engine
  // without the image: the registries answer.
  DockerEngineApi engine;
  auto image = engine.InspectImage(reference);
  const std::string engine_has_none =
      image ? "the engine has no such image"
            : "the engine cannot tell (" + image.error().message + ")";
  if (image && *image) {
    const std::string repository = reference.substr(
        0, reference.rfind(':') > reference.rfind('/') ? reference.rfind(':') : reference.size());
    for (const auto& repo_digest : (*image)->repo_digests) {
      const size_t sign = repo_digest.find('@');
      if (sign != std::string::npos && repo_digest.substr(0, sign) == repository) {
        return ResolvedImage{repo_digest.substr(sign + 1), false, "the engine"};
      }
    }
    return ResolvedImage{(*image)->id, true, "the engine (made there; no registry has it)"};
  }
  if (!registry_error.empty()) return Error{registry_error + "; " + engine_has_none};
  // A Docker Hub name the engine does not have: Docker Hub's answer, as a pull would get it.
  std::string repository = parsed->repository;
  if (repository.find('/') == std::string::npos) repository = "library/" + repository;
  auto digest = ClientFor("registry-1.docker.io")->HeadManifest(repository, parsed->reference);
  if (digest && *digest) return ResolvedImage{**digest, false, "registry docker.io"};
  return Error{engine_has_none + " and Docker Hub " +
               (digest ? std::string("has no such tag") : digest.error().message)};
}

std::vector<ProjectHash> CommandContext::Hashes(const SourceSnapshot& snapshot, HashScheme scheme,
                                                const std::string& platform) {
  if (scheme != HashScheme::kV1) {
    return HashProjects(manifest(), graph(), patterns(), snapshot, scheme, platform);
  }
  const InjectedArgs injected = Injected(snapshot);
  return HashProjects(manifest(), graph(), patterns(), snapshot, scheme, platform, &injected,
                      &Bases(snapshot).inputs());
}

std::string CommandContext::SubmoduleStatus() {
  if (!std::filesystem::exists(repo().root() + "/.gitmodules")) return "";
  auto status = repo().Run({"submodule", "status"});
  return status ? *status : "";
}

// A Dockerfile or ignore file larger than this is not one (a device, a misnamed dump).
constexpr size_t kMaxDockerfileBytes = 16 << 20;

std::vector<UncoveredInput> CommandContext::UncoveredInputs(const std::vector<int>& projects) {
  // The files of the projects' build directories that could be meant: tracked and untracked
  // ones (git-ignored files never reach a context, so they are not listed: no walk of
  // node_modules).
  // The working-tree scan of this run's snapshot found them already, where it answered.
  if (projects.empty()) return {};
  std::vector<std::string> directories;
  for (int p : projects) directories.push_back(manifest().projects[p].build_dir);
  std::optional<std::vector<std::string>> scanned;
  if (listing_) scanned = listing_->Files(directories);
  std::vector<std::string> files;
  if (scanned) {
    files = std::move(*scanned);
  } else {
    std::vector<std::string> args = {"ls-files",           "-z", "--cached", "--others",
                                     "--exclude-standard", "--"};
    // (git matches nothing with ":(top).": the whole tree is ":(top)".)
    for (const auto& dir : directories) args.push_back(":(top)" + (dir == "." ? "" : dir));
    auto listed = repo().Run(args);
    if (!listed) throw CommandFailure{kExitFailure, "hoist: error: " + listed.error().message};
    for (size_t start = 0, end; (end = listed->find('\0', start)) != std::string::npos;
         start = end + 1) {
      files.push_back(listed->substr(start, end - start));
    }
  }
  const std::string root = repo().root();
  return FindUncoveredInputs(manifest(), patterns(), files, projects,
                             [&](const std::string& path) -> std::optional<std::string> {
                               auto text = ReadFile(root + "/" + path, kMaxDockerfileBytes);
                               if (!text) return std::nullopt;
                               return std::move(*text);
                             });
}

std::string CommandContext::LogDirectory() {
  if (!log_directory_.empty()) return log_directory_;
  const std::string root = repo().root();
  namespace fs = std::filesystem;
  // hoist writes (and truncates) files there: never through a link someone committed, which
  // would make it overwrite files outside the repository.
  for (const std::string& dir : {root + "/.hoist", root + "/.hoist/runs"}) {
    std::error_code ignored;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(dir, ignored))) {
      throw CommandFailure{kExitFailure,
                           "hoist: error: " + dir + " is a symlink (to " +
                               std::filesystem::read_symlink(dir, ignored).string() +
                               "); hoist keeps its logs there and will not write through a link: " +
                               "remove it (git rm " + dir.substr(repo().root().size() + 1) + ")"};
    }
  }
  // One directory per run (.hoist/runs/<time>-<pid>), the newest kept; .hoist/logs is a
  // link to the latest, which hoist replaces and never writes through.
  const std::string runs = root + "/.hoist/runs";
  std::error_code ec;
  fs::create_directories(runs, ec);
  if (ec) {
    throw CommandFailure{kExitFailure,
                         "hoist: error: cannot create " + runs + " for the logs: " + ec.message()};
  }
  // hoist's own folder never shows in `git status` nor gets committed by `git add -A`: it
  // ignores itself, as pytest's and ruff's caches do.
  const fs::path ignore = root + "/.hoist/.gitignore";
  if (!fs::exists(fs::symlink_status(ignore, ec))) {
    std::ofstream(ignore) << "# written by hoist\n*\n";
  }
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  const std::string id = std::string(stamp) + "-" + std::to_string(getpid());
  const std::string run = runs + "/" + id;
  if (!fs::create_directory(run, ec) || ec) {
    throw CommandFailure{kExitFailure,
                         "hoist: error: cannot create " + run + " for the logs: " + ec.message()};
  }
  const fs::path latest = root + "/.hoist/logs";
  const auto status = fs::symlink_status(latest, ec);
  if (fs::is_directory(status) && !fs::is_symlink(status)) {
    fs::rename(latest, runs + "/before-" + id, ec);  // the logs of a hoist before runs/
  }
  const fs::path link = root + "/.hoist/logs.new." + std::to_string(getpid());
  fs::remove(link, ec);
  fs::create_directory_symlink("runs/" + id, link, ec);
  if (!ec) fs::rename(link, latest, ec);
  if (ec) fs::remove(link, ec);  // (the run's logs are still in runs/)
  // The newest runs are kept; names sort by time.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(runs, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i + kKeptRuns < names.size(); ++i) {
    if (names[i] != id) fs::remove_all(runs + "/" + names[i], ec);
  }
  log_directory_ = run;
  return run;
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
  if (!credentials_) {  // loaded once: every client shares its answers (one helper run per host)
    auto loaded = CredentialStore::Load();
    if (!loaded) throw CommandFailure{kExitFailure, "hoist: error: " + loaded.error().message};
    credentials_ = std::move(*loaded);
  }
  auto credentials = std::optional<CredentialStore>(*credentials_);
  RegistryOptions options;
  options.insecure_hosts = insecure_registries;
  if (verbose)
    // One write per line: requests of several threads interleaved mid-line otherwise.
    options.log = [](const std::string& line) { SayOwnLine("hoist: " + line); };
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

const PipelineFacts& CommandContext::FactsOrVendor() {
  if (!vendor_facts_) {
    try {
      vendor_facts_ = facts();
    } catch (const CommandFailure&) {  // no repository, or no commit: what the CI says
      vendor_facts_ = VendorFacts(ProcessEnv);
      no_commit_ = true;
    }
  }
  return *vendor_facts_;
}

const TrustTier& CommandContext::Tier() {
  if (!tier_) {
    const PipelineFacts& known = FactsOrVendor();
    if (no_commit_ && known.vendor == "local" && trust_mode == "auto") {
      // Outside CI and outside a repository (hoist image … at a terminal): no branch to
      // decide from, and nobody else's proposal. The person at the terminal is trusted.
      tier_ = TrustTier{true, "outside CI, with no commit to tell a branch from"};
      return *tier_;
    }
    auto tier = DecideTrust(known, no_commit_ ? HoistConfig() : config(), trust_mode);
    if (!tier) throw CommandFailure{kExitUsage, "hoist: error: " + tier.error().message};
    // The CI says which commit the run is for; a checkout of another (a workflow that checks
    // out a pull request's head) is not what the trusted branch holds.
    if (tier->trusted && !no_commit_ && known.vendor != "local" && trust_mode == "auto") {
      auto head = repo().ResolveCommit("HEAD");
      auto wanted = repo().ResolveCommit(known.commit);  // a vendor may say HEAD (Buildkite)
      if (head && (!wanted || *head != *wanted)) {
        tier = TrustTier{false, "the checkout (HEAD " + head->substr(0, 12) +
                                    ") is not the commit the CI run is for (" +
                                    known.commit.substr(0, 12) + ")"};
      }
    }
    tier_ = std::move(*tier);
  }
  return *tier_;
}

ImageStore& CommandContext::Store() {
  if (registry.empty()) {
    // A CI runner is thrown away after its job: images and markers kept in its engine are
    // lost, every run rebuilds and retests everything, and deploy finds nothing. That is a
    // forgotten setting far more often than a wish. (Reading, ReadStore, stays allowed.)
    const PipelineFacts& known = FactsOrVendor();
    if ((known.vendor != "local" || known.unknown_ci) && !local) {
      const std::string where = known.vendor == "github"      ? "a GitHub Actions job"
                                : known.vendor == "gitlab"    ? "a GitLab CI job"
                                : known.vendor == "circleci"  ? "a CircleCI job"
                                : known.vendor == "buildkite" ? "a Buildkite job"
                                                              : "a CI job (CI is set)";
      throw CommandFailure{
          kExitUsage,
          "hoist: error: this is " + where +
              " and no cache registry is set: images and markers kept in this runner's "
              "Docker engine are lost with the runner, so every run would build everything "
              "again. Set HOIST_REGISTRY (or --registry HOST[/PREFIX]) in the CI's settings, "
              "or pass --local (HOIST_LOCAL=1) to use this machine's engine on purpose (a "
              "self-hosted runner that keeps its images)"};
    }
  }
  return ReadStore();
}

ImageStore& CommandContext::ReadStore() {
  if (!store_) {
    Provenance provenance{"local", FactsOrVendor().job_url, FactsOrVendor().run_id};
    if (registry.empty()) {
      store_ = std::make_unique<LocalEngineStore>();
      store_->set_provenance(provenance);
      return *store_;
    }
    auto trusted = OpenRegistry(registry, "--registry");
    provenance.tier = "trusted";
    trusted->set_provenance(provenance);
    if (Tier().trusted) {
      store_ = std::move(trusted);
    } else {
      const std::string own_text =
          UntrustedLocation(registry, no_commit_ ? TrustConfig() : config().trust);
      auto own = OpenRegistry(own_text, "hoist.yml trust.untrustedRegistry");
      // Spelled however (case, scheme, the default port, localhost), one namespace is one.
      auto canonical = [](const RegistryLocation& location) {
        std::string host = location.host;
        for (const char* scheme : {"https://", "http://"}) {
          if (host.rfind(scheme, 0) == 0) host = host.substr(std::strlen(scheme));
        }
        std::transform(host.begin(), host.end(), host.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (host.size() > 4 && host.ends_with(":443")) host.resize(host.size() - 4);
        if (host == "localhost" || host.rfind("localhost:", 0) == 0) {
          host = "127.0.0.1" + host.substr(9);
        }
        std::string prefix = location.prefix;
        while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        return host + "/" + prefix;
      };
      if (canonical(own->location()) == canonical(trusted->location())) {
        throw CommandFailure{
            kExitUsage,
            "hoist: error: hoist.yml trust.untrustedRegistry is the cache "
            "registry itself (" +
                own_text +
                "); name another registry or "
                "prefix, so that untrusted runs cannot write what trusted runs read"};
      }
      provenance.tier = "untrusted";
      own->set_provenance(provenance);
      store_ = std::make_unique<UntrustedStore>(std::move(own), std::move(trusted));
      store_->set_provenance(provenance);
      {
        std::cerr << "hoist: an untrusted run (" << Tier().reason << "): writes go to " << own_text
                  << ", reads fall back to " << registry << "\n";
      }
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
