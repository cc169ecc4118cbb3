#include "stages/deploy.h"

#include "stages/deploy_step.h"
#include "stages/test_job.h"
#include "store/tag_names.h"

namespace hoist {
namespace {

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

}  // namespace

std::string DeployContext::Var(const std::string& name) const {
  for (const auto& [key, value] : env) {
    if (key == name) return value;
  }
  return "";
}

Expected<std::vector<std::string>> MissingForDeploy(const Manifest& manifest,
                                                    const std::vector<ProjectHash>& hashes,
                                                    ImageStore& cache) {
  std::vector<std::string> missing;
  for (size_t p = 0; p < manifest.projects.size(); ++p) {
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
    auto present = cache.Exists(project.name, CacheTagOf(hash.hash));
    if (!present) return present.error();
    if (*present == Presence::kAbsent) {
      missing.push_back(project.name + ": no image cache-" + hash.hash.substr(0, 12) +
                        " (run hoist build)");
    }
    for (const auto& job : project.tests) {
      auto pass = FindTestPass(cache, project.name, hash.hash, job);
      if (!pass) return pass.error();
      if (!*pass) {
        missing.push_back(project.name + ": test job '" + job.name + "' has not passed for " +
                          hash.hash.substr(0, 12) + " (run hoist test " + project.name + ")");
      }
    }
  }
  return missing;
}

Expected<DeployOutcome> DeployProject(DeployContext& context, int p, bool dry_run,
                                      const LineSink& on_line) {
  const Project& project = context.manifest.projects[p];
  const std::string& hash = context.hashes[p].hash;
  const std::string deploy_tag = context.Var("DEPLOY_TAG");
  auto say = [&](const std::string& line) {
    if (on_line) on_line(line);
  };
  auto fail = [&](const std::string& why) {
    return Error{"project '" + project.name + "': deploy to " + deploy_tag + ": " + why};
  };

  auto current = context.cache.GetMarker(project.name, tag::DeployPointer(deploy_tag));
  if (!current) return fail(current.error().message);
  if (*current && (*current)->hash == hash) {
    say("already deployed to " + deploy_tag + " at " + (*current)->time + " (commit " +
        (*current)->commit.substr(0, 12) + "): no step runs");
    return DeployOutcome::kAlreadyDeployed;
  }
  const auto tags = PromotionTags(context);
  std::string tag_list;
  for (const auto& tag : tags) tag_list += (tag_list.empty() ? "" : ", ") + tag;
  const std::string source_repository = context.cache.location().Repository(project.name);
  const std::string target_repository = context.target.location().Repository(project.name);
  say("promote " + context.cache.Reference(project.name, CacheTagOf(hash)) + " to " +
      context.target.Describe() + " as " + tag_list);
  std::vector<std::string> env;
  for (const auto& [name, value] : context.env) env.push_back(name + "=" + value);
  const StepRun run{context, project, hash, env, tags, on_line};
  for (const auto& step : project.deploy) {
    const DeployStepType* type = FindDeployStep(step.type);
    if (!type) return fail("unknown step type '" + step.type + "'");
    say(type->Plan(run, step));
  }
  if (dry_run) return DeployOutcome::kPlanned;

  auto promoted = PromoteImage(context.cache.client(), source_repository, CacheTagOf(hash),
                               context.target.client(), target_repository, tags);
  if (!promoted) return fail(promoted.error().message);
  for (const auto& step : project.deploy) {
    Status done = FindDeployStep(step.type)->Run(run, step);
    if (!done) return fail(step.type + " step failed: " + done.error().message);
  }

  Marker marker;
  marker.kind = "deployed";
  marker.project = project.name;
  marker.hash = hash;
  marker.commit = context.Var("COMMIT_HASH");
  marker.job = deploy_tag;
  auto recorded = context.cache.PutMarker(project.name, tag::Deployed(hash, deploy_tag), marker);
  if (!recorded) return fail(recorded.error().message);
  marker.kind = "deployed-pointer";
  auto pointer = context.cache.PutMarker(project.name, tag::DeployPointer(deploy_tag), marker);
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
