#include "stages/deploy_step.h"
#include "store/tag_names.h"

namespace hoist {
namespace {

/// registry: the image promoted to another registry too (only on tagged commits with
/// onlyTagged).
class Registry : public DeployStepType {
 public:
  std::string Plan(const StepRun& run, const DeployStep& step) const override {
    return "step registry " + step.registry +
           (Skipped(run, step) ? " (skipped: not a tagged commit)" : "");
  }
  Status Run(const StepRun& run, const DeployStep& step) const override {
    if (Skipped(run, step)) return Ok();
    auto location = RegistryLocation::Parse(step.registry);
    if (!location) return location.error();
    auto client = run.context.client_for(location->host);
    return PromoteImage(
        run.context.cache.client(), run.context.cache.location().Repository(run.project.name),
        run.ImageReference(), *client, location->Repository(run.project.name), run.tags);
  }

 private:
  static bool Skipped(const StepRun& run, const DeployStep& step) {
    return step.only_tagged && run.context.Var("COMMIT_TAG").empty();
  }
};

}  // namespace

const DeployStepType& RegistryStep() {
  static const Registry kStep;
  return kStep;
}

}  // namespace hoist
