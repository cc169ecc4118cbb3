#include "stages/deploy_step.h"
#include "stages/npm_publish.h"
#include "util/repo_path.h"
#include "util/temp_directory.h"

namespace hoist {
namespace {

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

/// npm: the package in dir (or copied out of the image with fromImage), published as the
/// version of the commit's tag (the seed's deploy_npm); nothing on untagged commits.
class Npm : public DeployStepType {
 public:
  std::string Plan(const StepRun& run, const DeployStep& step) const override {
    const std::string tag = run.context.Var("COMMIT_TAG");
    return "step npm in " +
           (step.from_image.empty() ? *JoinRepoPath(run.project.project_dir, step.dir)
                                    : run.Image() + ":" + step.from_image) +
           (tag.empty() ? " (skipped: not a tagged commit)" : " as version of " + tag);
  }
  Status Run(const StepRun& run, const DeployStep& step) const override {
    const DeployContext& context = run.context;
    NpmPublish publish;
    publish.package_dir = context.root + "/" + *JoinRepoPath(run.project.project_dir, step.dir);
    // The seed published what the image built (dist/ and all): copied out of cache-<hash>.
    TempDirectory extracted;
    if (!step.from_image.empty() && !context.Var("COMMIT_TAG").empty()) {
      if (!context.builder) return Error{"fromImage needs a Docker engine"};
      auto made = extracted.Make("hoist-npm-image");
      if (!made) return made.error();
      const std::string image = run.Image();
      Status copied = context.builder->Pull(image, run.on_line);
      if (copied) {
        copied =
            context.builder->CopyFromImage(image, step.from_image, extracted.path(), run.on_line);
      }
      if (!copied) {
        return Error{"cannot copy " + step.from_image + " out of " + image + ": " +
                     copied.error().message};
      }
      publish.package_dir = extracted.path();
    }
    publish.registry = step.registry;
    publish.access = step.access;
    publish.commit_tag = context.Var("COMMIT_TAG");
    publish.project_name = context.Var("PROJECT");
    publish.sibling_packages = NpmPackagesOf(context);
    publish.pin_scope = step.pin_scope;
    publish.dist_tag = step.dist_tag;
    publish.env = run.env;
    return PublishNpmPackage(publish, run.on_line);
  }
  std::vector<std::string> Inputs(const Project& project, const DeployStep& step) const override {
    if (!step.from_image.empty()) return {};  // the image's files: checked by digest
    return {*JoinRepoPath(project.project_dir, step.dir)};
  }
};

}  // namespace

const DeployStepType& NpmStep() {
  static const Npm kStep;
  return kStep;
}

}  // namespace hoist
