#include "stages/deploy.h"

#include <filesystem>

#include "stages/host_command.h"
#include "stages/npm_publish.h"
#include "stages/test_job.h"
#include "store/tag_names.h"
#include "util/repo_path.h"
#include "util/subprocess.h"
#include "util/temp_directory.h"

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

Status Promote(DistributionClient& source, const std::string& source_repository,
               const std::string& reference, DistributionClient& target,
               const std::string& target_repository, const std::vector<std::string>& tags) {
  auto copied =
      CopyImage(source, source_repository, reference, target, target_repository, tags.front());
  if (!copied) return copied;
  for (size_t i = 1; i < tags.size(); ++i) {
    auto tagged = target.Retag(target_repository, tags.front(), tags[i]);
    if (!tagged) return tagged;
  }
  return Ok();
}

/// The names of the npm packages that the manifest's npm steps publish.
std::vector<std::string> NpmPackagesOf(const DeployContext& context) {
  std::vector<std::string> names;
  for (const auto& project : context.manifest.projects) {
    for (const auto& step : project.deploy) {
      if (step.type != "npm") continue;
      auto name = NpmPackageName(context.root + "/" + *JoinRepoPath(project.project_dir, step.dir));
      if (name) names.push_back(*name);
    }
  }
  return names;
}

}  // namespace

std::string DeployContext::Var(const std::string& name) const {
  for (const auto& [key, value] : env) {
    if (key == name) return value;
  }
  return "";
}

Expected<std::vector<std::string>> MissingForDeploy(DeployContext& context) {
  std::vector<std::string> missing;
  for (size_t p = 0; p < context.manifest.projects.size(); ++p) {
    const Project& project = context.manifest.projects[p];
    const ProjectHash& hash = context.hashes[p];
    if (!hash.error.empty()) {
      missing.push_back(project.name + ": " + hash.error);
      continue;
    }
    if (hash.dirty) {
      missing.push_back(project.name + ": uncommitted changes (deploys are of commits only)");
      continue;
    }
    auto present = context.cache.Exists(project.name, CacheTagOf(hash.hash));
    if (!present) return present.error();
    if (*present == Presence::kAbsent) {
      missing.push_back(project.name + ": no image cache-" + hash.hash.substr(0, 12) +
                        " (run hoist build)");
    }
    for (const auto& job : project.tests) {
      auto pass = FindTestPass(context.cache, project.name, hash.hash, job);
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
  for (const auto& step : project.deploy) {
    if (step.type == "registry") {
      bool skip = step.only_tagged && context.Var("COMMIT_TAG").empty();
      say("step registry " + step.registry + (skip ? " (skipped: not a tagged commit)" : ""));
    } else if (step.type == "npm") {
      say("step npm in " +
          (step.from_image.empty()
               ? *JoinRepoPath(project.project_dir, step.dir)
               : context.cache.Reference(project.name, CacheTagOf(hash)) + ":" + step.from_image) +
          (context.Var("COMMIT_TAG").empty() ? " (skipped: not a tagged commit)"
                                             : " as version of " + context.Var("COMMIT_TAG")));
    } else if (step.type == "terraform") {
      say("step terraform in " + *JoinRepoPath(project.project_dir, step.dir));
    } else {
      say("step command " + FormatCommand(step.command));
    }
  }
  if (dry_run) return DeployOutcome::kPlanned;

  auto promoted = Promote(context.cache.client(), source_repository, CacheTagOf(hash),
                          context.target.client(), target_repository, tags);
  if (!promoted) return fail(promoted.error().message);

  std::vector<std::string> env;
  for (const auto& [name, value] : context.env) env.push_back(name + "=" + value);
  const std::string project_dir = context.root + "/" + project.project_dir;
  for (const auto& step : project.deploy) {
    Status done = Ok();
    if (step.type == "registry") {
      if (step.only_tagged && context.Var("COMMIT_TAG").empty()) continue;
      auto location = RegistryLocation::Parse(step.registry);
      if (!location) return fail("registry step: " + location.error().message);
      auto client = context.client_for(location->host);
      done = Promote(context.cache.client(), source_repository, CacheTagOf(hash), *client,
                     location->Repository(project.name), tags);
    } else if (step.type == "npm") {
      NpmPublish publish;
      publish.package_dir = context.root + "/" + *JoinRepoPath(project.project_dir, step.dir);
      // The seed published what the image built (dist/ and all): copied out of cache-<hash>.
      TempDirectory extracted;
      if (!step.from_image.empty() && !context.Var("COMMIT_TAG").empty()) {
        if (!context.builder) return fail("npm step: fromImage needs a Docker engine");
        auto made = extracted.Make("hoist-npm-image");
        if (!made) return fail("npm step: " + made.error().message);
        const std::string image = context.cache.Reference(project.name, CacheTagOf(hash));
        Status copied = context.builder->Pull(image, on_line);
        if (copied)
          copied =
              context.builder->CopyFromImage(image, step.from_image, extracted.path(), on_line);
        if (!copied) {
          return fail("npm step: cannot copy " + step.from_image + " out of " + image + ": " +
                      copied.error().message);
        }
        publish.package_dir = extracted.path();
      }
      publish.registry = step.registry;
      publish.access = step.access;
      publish.commit_tag = context.Var("COMMIT_TAG");
      publish.project_name = context.Var("PROJECT");
      publish.sibling_packages = NpmPackagesOf(context);
      publish.env = env;
      done = PublishNpmPackage(publish, on_line);
    } else if (step.type == "terraform") {
      const std::string dir = context.root + "/" + *JoinRepoPath(project.project_dir, step.dir);
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        return fail("terraform step: directory " + dir +
                    " does not exist (dir: is relative to "
                    "projectDir, default 'terraform')");
      }
      std::vector<std::string> tf_env = env;
      tf_env.push_back("TF_VAR_DEPLOY_TAG=" + deploy_tag);
      tf_env.push_back("TF_VAR_COMMIT_HASH=" + context.Var("COMMIT_HASH"));
      done = RunHostCommand({"terraform", "init", "-input=false",
                             "-backend-config=key=" + deploy_tag + "/" + project.name},
                            dir, tf_env, on_line);
      for (size_t i = 0; done && i < step.taints.size(); ++i) {
        done = RunHostCommand({"terraform", "taint", step.taints[i]}, dir, tf_env, on_line);
      }
      if (done) {
        done = RunHostCommand({"terraform", "apply", "-input=false", "-auto-approve"}, dir, tf_env,
                              on_line);
      }
    } else {
      done = RunHostCommand(step.command, project_dir, env, on_line);
    }
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

}  // namespace hoist
