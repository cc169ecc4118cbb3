#include <filesystem>

#include "stages/deploy_step.h"
#include "stages/host_command.h"
#include "util/repo_path.h"

namespace hoist {
namespace {

/// terraform: init (state keyed by deploy tag and project), taint what is asked, apply.
class Terraform : public DeployStepType {
 public:
  std::string Plan(const StepRun& run, const DeployStep& step) const override {
    return "step terraform in " + *JoinRepoPath(run.project.project_dir, step.dir);
  }
  Status Run(const StepRun& run, const DeployStep& step) const override {
    const std::string dir =
        run.context.root + "/" + *JoinRepoPath(run.project.project_dir, step.dir);
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Error{"directory " + dir +
                   " does not exist (dir: is relative to projectDir, default 'terraform')"};
    }
    const std::string deploy_tag = run.context.Var("DEPLOY_TAG");
    std::vector<std::string> env = run.env;
    env.push_back("TF_VAR_DEPLOY_TAG=" + deploy_tag);
    env.push_back("TF_VAR_COMMIT_HASH=" + run.context.Var("COMMIT_HASH"));
    // Stopped (Ctrl-C, SIGTERM), terraform finishes what it is writing: never SIGKILLed.
    constexpr int kNeverKill = 0;
    Status done = RunHostCommand({"terraform", "init", "-input=false",
                                  "-backend-config=key=" + deploy_tag + "/" + run.project.name},
                                 dir, env, run.on_line, kNeverKill);
    for (size_t i = 0; done && i < step.taints.size(); ++i) {
      done =
          RunHostCommand({"terraform", "taint", step.taints[i]}, dir, env, run.on_line, kNeverKill);
    }
    if (!done) return done;
    return RunHostCommand({"terraform", "apply", "-input=false", "-auto-approve"}, dir, env,
                          run.on_line, kNeverKill);
  }
  std::vector<std::string> Inputs(const Project& project, const DeployStep& step) const override {
    return {*JoinRepoPath(project.project_dir, step.dir)};
  }
};

}  // namespace

const DeployStepType& TerraformStep() {
  static const Terraform kStep;
  return kStep;
}

}  // namespace hoist
