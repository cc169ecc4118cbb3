#include "stages/deploy.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "stages/deploy_step.h"
#include "stages/test_job.h"
#include "store/tag_names.h"
#include "util/digest.h"
#include "util/process_identity.h"
#include "util/repo_path.h"

namespace hoist {
namespace {

// A lease outlives the longest deploy (terraform applies of an hour are not rare); a run that
// died holding one is named in the message, with how to remove its lease.
constexpr long kLeaseSeconds = 60 * 60;
// How long a written lease is left before it is read back, for a racing write to land.
constexpr int kLeaseSettleMs = 500;

/// The words of a command step that name files of the repository (a script it runs:
/// ./deploy.sh, ../../scripts/release.sh), repository-relative.
std::vector<std::string> NamedFiles(const GitRepository& repo, const Project& project,
                                    const DeployStep& step) {
  std::vector<std::string> words;
  for (const auto& arg : step.command) {
    std::string word;
    for (char c : arg + " ") {
      if (std::string(" \t\n;&|()<>'\"`=").find(c) != std::string::npos) {
        if (!word.empty()) words.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& word : words) {
    if (word.find('/') == std::string::npos && word.find('.') == std::string::npos) continue;
    auto path = JoinRepoPath(project.project_dir, word);
    if (!path || *path == ".") continue;
    if (std::filesystem::exists(repo.root() + "/" + *path, ec)) files.push_back(*path);
  }
  return files;
}

/// The repository paths a deploy step runs or reads: its type's directories, and for a
/// command step the repository files it names.
std::vector<std::string> StepInputs(const GitRepository& repo, const Project& project,
                                    const DeployStep& step) {
  const DeployStepType* type = FindDeployStep(step.type);
  if (!type) return {};
  std::vector<std::string> paths = type->Inputs(project, step);
  if (step.type == "command") {
    for (auto& file : NamedFiles(repo, project, step)) paths.push_back(std::move(file));
  }
  return paths;
}

/// What an uncommitted change is, for messages.
const char* ChangeName(const WorkingTreeChange& change) {
  switch (change.kind) {
    case WorkingTreeChange::Kind::kModified:
      return "modified";
    case WorkingTreeChange::Kind::kDeleted:
      return "deleted";
    case WorkingTreeChange::Kind::kUntracked:
      return "untracked";
  }
  return "changed";
}

std::string CacheTagOf(const std::string& hash) {
  return tag::Image(hash);
}

/// The tags a promoted image gets.
std::vector<std::string> PromotionTags(const DeployContext& context) {
  std::vector<std::string> tags = {context.Var("COMMIT_HASH"), context.Var("DEPLOY_TAG")};
  if (!context.Var("COMMIT_TAG").empty()) {
    tags.push_back(context.Var("PROJECT") + "-" + context.Var("COMMIT_TAG"));
  }
  return tags;
}

std::string CommitTime(const GitRepository& repo, const std::string& commit) {
  return repo.Output({"show", "-s", "--format=%ct", "--end-of-options", commit});
}

/// Why deploying `commit` over what `current` (the deploy tag's pointer) names would move the
/// deploy tag back to an older commit; "" when it would not.
Expected<std::string> IsRollback(const DeployContext& context, const Marker& current,
                                 const std::string& commit) {
  if (current.commit.empty() || current.commit == commit || !context.repo) return std::string();
  const GitRepository& repo = *context.repo;
  const std::string deploy_tag = context.Var("DEPLOY_TAG");
  const std::string what = deploy_tag + " runs commit " + current.commit.substr(0, 12) +
                           " (deployed " + current.time + ")";
  if (repo.HasCommit(current.commit)) {
    auto older = repo.IsAncestor(commit, current.commit);
    if (!older) return older.error();
    if (*older) {
      return "commit " + commit.substr(0, 12) + " is an ancestor of what " + what +
             ": deploying it is a rollback; pass --allow-rollback if that is what you want";
    }
    auto newer = repo.IsAncestor(current.commit, commit);
    if (!newer) return newer.error();
    if (*newer) return std::string();
    // Diverged histories (a hotfix tag on a release branch, a force-push): the later commit
    // by committer time may go on; an earlier one would move the tag back in time.
  }
  // Otherwise (a shallow clone cannot see the deployed commit, or the histories diverged):
  // commit times decide.
  const std::string mine = CommitTime(repo, commit);
  if (current.commit_time.empty() || mine.empty()) return std::string();
  long long mine_time = 0, deployed_time = 0;
  const std::string& theirs = current.commit_time;  // from the registry: parsed with care
  if (std::from_chars(mine.data(), mine.data() + mine.size(), mine_time).ec != std::errc() ||
      std::from_chars(theirs.data(), theirs.data() + theirs.size(), deployed_time).ec !=
          std::errc() ||
      mine_time >= deployed_time) {
    return std::string();
  }
  return "commit " + commit.substr(0, 12) + " is older than what " + what +
         " and not its descendant (a shallow clone, or diverged histories): deploying it looks " +
         "like a rollback; pass --allow-rollback if that is what you want";
}

/// Takes the deploy tag's lease in the project's repository of the cache, waiting (up to
/// lease_wait_seconds) while another deploy holds it; returns the holder name it wrote.
/// Registries have no compare-and-swap, so it is written, then, after a pause for a racing
/// write to land, read back: the deploy whose lease is read back holds it. The holder is the
/// pipeline run's job (jobs of one pipeline share a run id; a retried job takes its own lease
/// back), or, outside CI, this process.
Expected<std::string> TakeLease(DeployContext& context, const std::string& project,
                                const std::string& deploy_tag, const LineSink& on_line) {
  const std::string lease_tag = tag::DeployLease(deploy_tag);
  const std::string job = context.Var("JOB_NAME");
  const std::string run =
      context.cache.provenance().run + "/" + (job.empty() ? ProcessIdentity() : job);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(context.lease_wait_seconds);
  bool said = false;
  while (true) {
    auto held = context.cache.GetMarker(project, lease_tag);
    if (!held) return held.error();
    const bool free = !*held || (*held)->run == run || (*held)->expires < NowRfc3339();
    if (free) {
      Marker lease;
      lease.kind = "lease";
      lease.project = project;
      lease.job = deploy_tag;
      lease.commit = context.Var("COMMIT_HASH");
      lease.run = run;
      lease.expires = Rfc3339In(kLeaseSeconds);
      auto written = context.cache.PutMarker(project, lease_tag, lease);
      if (!written) return written.error();
      std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseSettleMs));
      auto mine = context.cache.GetMarker(project, lease_tag);
      if (!mine) return mine.error();
      if (*mine && (*mine)->run == run) return run;
      continue;  // another deploy wrote after us: it holds the lease
    }
    const std::string holder = "run " + (*held)->run + " (commit " + (*held)->commit.substr(0, 12) +
                               ", since " + (*held)->time + ", until " + (*held)->expires + ")";
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error{"another deploy to " + deploy_tag + " is under way: " + holder +
                   "; try again when it ends, or, if that run died, remove its lease: hoist " +
                   "image untag " + project + " " + lease_tag};
    }
    if (!said && on_line) on_line("waiting for another deploy to " + deploy_tag + ": " + holder);
    said = true;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

}  // namespace

std::string DeployContext::Var(const std::string& name) const {
  for (const auto& [key, value] : env) {
    if (key == name) return value;
  }
  return "";
}

Expected<std::vector<std::string>> MissingForDeploy(
    const Manifest& manifest, const std::vector<ProjectHash>& hashes, ImageStore& cache,
    std::vector<std::string>& digests, const std::string& root, const std::vector<int>& only) {
  std::vector<std::string> missing;
  digests.assign(manifest.projects.size(), "");
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
    if (!only.empty() && std::find(only.begin(), only.end(), static_cast<int>(p)) == only.end()) {
      continue;
    }
    const Project& project = manifest.projects[p];
    const ProjectHash& hash = hashes[p];
    if (!hash.error.empty()) {
      missing.push_back(project.name + ": " + hash.error);
      continue;
    }
    if (hash.dirty) {
      missing.push_back(project.name + ": uncommitted changes (deploys are of commits only)");
      continue;
    }
    const std::string shown = "cache-" + hash.hash.substr(0, 12);
    auto identity = cache.Identity(project.name, CacheTagOf(hash.hash));
    if (!identity) return identity.error();
    if (!*identity) {
      missing.push_back(project.name + ": no image " + shown + " (run hoist build)");
      continue;
    }
    const std::string& digest = **identity;
    digests[p] = digest;
    auto built = cache.GetMarker(project.name, tag::Built(hash.hash));
    if (!built) return built.error();
    if (!*built) {
      missing.push_back(project.name + ": " + shown + " has no build record (built-" +
                        hash.hash.substr(0, 12) + "…): it was not built by hoist on a trusted " +
                        "run, or by a hoist older than build records; rebuild it on a trusted " +
                        "branch: hoist build --force " + project.name);
    } else if ((*built)->tier != "trusted") {
      missing.push_back(project.name + ": " + shown + " was built by an " +
                        ((*built)->tier.empty() ? "unknown" : (*built)->tier) +
                        " run; only images built by trusted runs deploy");
    } else if ((*built)->digest != digest) {
      missing.push_back(project.name + ": " + shown + " names " + digest + ", but its build " +
                        "record names " + (*built)->digest + ": the image was replaced after " +
                        "a trusted build; rebuild it: hoist build --force " + project.name);
    }
    for (const auto& job : project.tests) {
      const std::string tested = job.host ? "" : digest;
      auto inputs = ComposeInputs(cache, manifest, hashes, static_cast<int>(p), job, root);
      if (!inputs) {
        missing.push_back(project.name + ": test job '" + job.name +
                          "': " + inputs.error().message);
        continue;
      }
      auto pass = FindTestPass(cache, project.name, hash.hash, job, tested, *inputs);
      if (!pass) return pass.error();
      if (!*pass) {
        auto other = cache.GetMarker(project.name, tag::TestPass(hash.hash, job.name));
        const bool elsewhere =
            other && *other && (*other)->definition == TestJobDigest(job, *inputs);
        missing.push_back(project.name + ": test job '" + job.name + "' has not passed " +
                          (elsewhere ? "on the image " + shown + " names now (" + digest +
                                           "; it passed on " + (*other)->digest + ")"
                                     : "for " + hash.hash.substr(0, 12)) +
                          " (run hoist test " + project.name + ")");
      } else if ((*pass)->tier != "trusted") {
        missing.push_back(project.name + ": test job '" + job.name + "' passed only in an " +
                          ((*pass)->tier.empty() ? "unknown" : (*pass)->tier) +
                          " run (run hoist test " + project.name + " on a trusted branch)");
      }
    }
  }
  return missing;
}

Expected<std::vector<std::string>> UncommittedDeployInputs(const GitRepository& repo,
                                                           const Manifest& manifest,
                                                           const std::vector<int>& projects) {
  // The manifest, and PROJECT and VERSION, which name the deploy tag.
  std::vector<std::string> inputs = {"PROJECT", "VERSION"};
  std::error_code ec;
  const auto relative =
      std::filesystem::relative(std::filesystem::weakly_canonical(manifest.file, ec),
                                std::filesystem::weakly_canonical(repo.root(), ec), ec);
  auto manifest_path = JoinRepoPath(".", relative.string());
  if (ec || !manifest_path) {
    return Error{"the manifest " + manifest.file + " is not inside the repository " + repo.root() +
                 ": a deploy runs committed steps only"};
  }
  inputs.push_back(*manifest_path);
  for (int p : projects) {
    const Project& project = manifest.projects[p];
    for (const auto& step : project.deploy) {
      for (auto& path : StepInputs(repo, project, step)) inputs.push_back(std::move(path));
    }
  }
  auto changes = repo.WorkingTreeChanges();
  if (!changes) return changes.error();
  std::vector<std::string> dirty;
  for (const auto& change : *changes) {
    if (IsUnder(change.path, ".hoist")) continue;  // hoist's own logs
    for (const auto& input : inputs) {
      // A submodule holding an input is one too.
      if (input == "." || IsUnder(change.path, input) ||
          (change.submodule && IsUnder(input, change.path))) {
        dirty.push_back(change.path + " (" + ChangeName(change) + ")");
        break;
      }
    }
  }
  return dirty;
}

std::string DeployDefinition(const GitRepository& repo, const std::string& commit,
                             const Project& project) {
  nlohmann::json steps = nlohmann::json::array();
  nlohmann::json inputs = nlohmann::json::object();
  for (const auto& step : project.deploy) {
    steps.push_back({{"type", step.type},
                     {"command", step.command},
                     {"registry", step.registry},
                     {"onlyTagged", step.only_tagged},
                     {"dir", step.dir},
                     {"access", step.access},
                     {"fromImage", step.from_image},
                     {"taints", step.taints}});
    // (Only when set: the digests of deploys recorded before these keys stay as they were.)
    if (!step.dist_tag.empty()) steps.back()["distTag"] = step.dist_tag;
    if (!step.pin_scope.empty()) steps.back()["pinScope"] = step.pin_scope;
    for (const auto& path : StepInputs(repo, project, step)) {
      const std::string object = commit + ":" + (path == "." ? "" : path);
      std::string id = repo.Output({"rev-parse", "--verify", "--quiet", object});
      if (!id.empty()) inputs[path] = id;  // an uncommitted file is refused, not defined
    }
  }
  return Sha256Digest(nlohmann::json{{"steps", steps}, {"inputs", inputs}}.dump());
}

bool IsDeployed(const std::optional<Marker>& pointer, const std::string& hash,
                const std::string& definition) {
  return pointer && pointer->hash == hash &&
         (pointer->definition.empty() || pointer->definition == definition);
}

Expected<std::vector<int>> PendingDeploys(RegistryStore& cache, const Manifest& manifest,
                                          const std::vector<ProjectHash>& hashes,
                                          const GitRepository& repo, const std::string& commit,
                                          const std::string& deploy_tag,
                                          const std::vector<int>& projects) {
  std::vector<int> pending;
  for (int p : projects) {
    const Project& project = manifest.projects[p];
    auto pointer = cache.GetMarker(project.name, tag::DeployPointer(deploy_tag));
    if (!pointer) {
      return Error{"project '" + project.name + "': deploy to " + deploy_tag + ": " +
                   pointer.error().message};
    }
    if (!IsDeployed(*pointer, hashes[p].hash, DeployDefinition(repo, commit, project))) {
      pending.push_back(p);
    }
  }
  return pending;
}

Expected<DeployOutcome> DeployProject(DeployContext& context, int p, bool dry_run,
                                      const LineSink& on_line) {
  const Project& project = context.manifest.projects[p];
  const std::string& hash = context.hashes[p].hash;
  const std::string deploy_tag = context.Var("DEPLOY_TAG");
  // What the markers are kept under: the deploy tag, or for a call's own steps its channel too.
  const std::string slot =
      context.channel.empty() ? deploy_tag : deploy_tag + "." + context.channel;
  auto say = [&](const std::string& line) {
    if (on_line) on_line(line);
  };
  auto fail = [&](const std::string& why) {
    return Error{"project '" + project.name + "': deploy to " + deploy_tag + ": " + why};
  };

  const std::string commit = context.Var("COMMIT_HASH");
  const std::string definition =
      context.repo ? DeployDefinition(*context.repo, commit, project) : "";
  auto already = [&](const std::optional<Marker>& pointer) {
    return IsDeployed(pointer, hash, definition);
  };
  // Nothing to do needs no lease (a no-op deploy stays a few requests per project).
  auto first = context.cache.GetMarker(project.name, tag::DeployPointer(slot));
  if (!first) return fail(first.error().message);
  // Else the lease, and what is deployed read again under it, so that two deploys cannot
  // both decide from the same state (the later then undoing the newer one).
  std::optional<std::string> lease;
  if (!dry_run && !already(*first)) {
    auto taken = TakeLease(context, project.name, slot, on_line);
    if (!taken) return fail(taken.error().message);
    lease = *taken;
  }
  // Given back however the deploy ends, only if it is still ours; one left by a crash expires.
  struct Release {
    DeployContext& context;
    const std::string& project;
    const std::string lease_tag;
    const std::optional<std::string>& holder;
    ~Release() {
      if (!holder) return;
      auto held = context.cache.GetMarker(project, lease_tag);
      if (held && *held && (*held)->run == *holder) {
        (void)context.cache.DeleteMarker(project, lease_tag);
      }
    }
  } release{context, project.name, tag::DeployLease(slot), lease};

  auto current = lease ? context.cache.GetMarker(project.name, tag::DeployPointer(slot)) : first;
  if (!current) return fail(current.error().message);
  if (already(*current)) {
    say("already deployed to " + slot + " at " + (*current)->time + " (commit " +
        (*current)->commit.substr(0, 12) + "): no step runs");
    return DeployOutcome::kAlreadyDeployed;
  }
  if (*current && (*current)->hash == hash) say("the deploy steps changed since the last deploy");
  if (*current && !context.allow_rollback) {
    auto older = IsRollback(context, **current, commit);
    if (!older) return fail(older.error().message);
    if (!older->empty()) return fail(*older);
  }
  const auto tags = PromotionTags(context);
  std::string tag_list;
  for (const auto& tag : tags) tag_list += (tag_list.empty() ? "" : ", ") + tag;
  const std::string source_repository = context.cache.location().Repository(project.name);
  const std::string target_repository = context.target.location().Repository(project.name);
  if (context.promote) {
    say("promote " + context.cache.Reference(project.name, CacheTagOf(hash)) + " to " +
        context.target.Describe() + " as " + tag_list);
  }
  std::vector<std::string> env;
  for (const auto& [name, value] : context.env) env.push_back(name + "=" + value);
  // Exactly the bytes the gate checked, whatever moved the tag since: for the promotion and
  // every step that reads the image.
  const std::string checked =
      static_cast<size_t>(p) < context.digests.size() ? context.digests[p] : std::string();
  const StepRun run{context, project, hash, env, tags, on_line, checked};
  for (const auto& step : project.deploy) {
    const DeployStepType* type = FindDeployStep(step.type);
    if (!type) return fail("unknown step type '" + step.type + "'");
    say(type->Plan(run, step));
  }
  if (dry_run) return DeployOutcome::kPlanned;

  auto previous = context.target.client().HeadManifest(target_repository, deploy_tag);
  if (!previous) return fail(previous.error().message);
  if (context.promote) {
    auto promoted = PromoteImage(context.cache.client(), source_repository, run.ImageReference(),
                                 context.target.client(), target_repository, tags);
    if (!promoted) return fail(promoted.error().message);
  }
  for (const auto& step : project.deploy) {
    Status done = FindDeployStep(step.type)->Run(run, step);
    if (!done) return fail(step.type + " step failed: " + done.error().message);
  }

  Marker marker;
  marker.kind = "deployed";
  marker.project = project.name;
  marker.hash = hash;
  marker.commit = commit;
  marker.job = slot;
  marker.digest = checked;
  marker.previous = previous->value_or("");
  marker.definition = definition;
  if (context.repo) marker.commit_time = CommitTime(*context.repo, commit);
  auto recorded = context.cache.PutMarker(project.name, tag::Deployed(hash, slot), marker);
  if (!recorded) return fail(recorded.error().message);
  marker.kind = "deployed-pointer";
  auto pointer = context.cache.PutMarker(project.name, tag::DeployPointer(slot), marker);
  if (!pointer) return fail(pointer.error().message);
  return DeployOutcome::kDeployed;
}

std::vector<int> DeployedProjects(const Manifest& manifest, std::vector<int> named) {
  if (!named.empty()) return named;
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
    if (!manifest.projects[p].deploy.empty()) named.push_back(static_cast<int>(p));
  }
  return named;
}

std::vector<RunJob> DeployJobs(const Manifest& manifest, const std::vector<int>& projects) {
  std::vector<RunJob> jobs;
  for (int p : projects) jobs.push_back({manifest.projects[p].name, "", {}, "deploy"});
  return jobs;
}

JobResult RunDeployJob(DeployContext& context, int project, bool dry_run, JobScope& scope) {
  auto outcome = DeployProject(context, project, dry_run, scope.sink());
  if (!outcome) return {JobOutcome::kFailed, outcome.error().message};
  switch (*outcome) {
    case DeployOutcome::kDeployed:
      return {JobOutcome::kDone, "deployed"};
    case DeployOutcome::kAlreadyDeployed:
      return {JobOutcome::kCached, "already deployed"};
    case DeployOutcome::kPlanned:
      return {JobOutcome::kDone, "planned"};
  }
  return {JobOutcome::kFailed, "internal error: unknown deploy outcome"};
}

}  // namespace hoist
