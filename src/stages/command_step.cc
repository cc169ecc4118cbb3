#include "stages/deploy_step.h"
#include "stages/host_command.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

/// command: a command in projectDir with hoist env's variables.
class Command : public DeployStepType {
 public:
  std::string Plan(const StepRun&, const DeployStep& step) const override {
    return "step command " + FormatCommand(step.command);
  }
  Status Run(const StepRun& run, const DeployStep& step) const override {
    return RunHostCommand(step.command, run.context.root + "/" + run.project.project_dir, run.env,
                          run.on_line);
  }
  std::vector<std::string> Inputs(const Project& project, const DeployStep&) const override {
    return {project.project_dir};  // where it runs, and the scripts it calls live
  }
};

}  // namespace

const DeployStepType& CommandStep() {
  static const Command kStep;
  return kStep;
}

}  // namespace hoist
