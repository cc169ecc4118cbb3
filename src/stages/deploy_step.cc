#include "stages/deploy_step.h"

#include <map>

#include "store/tag_names.h"

namespace hoist {

std::string StepRun::Image() const {
  return context.cache.Reference(project.name, tag::Image(hash)) +
         (digest.empty() ? "" : "@" + digest);
}

std::string StepRun::ImageReference() const {
  return digest.empty() ? tag::Image(hash) : digest;
}

const DeployStepType* FindDeployStep(const std::string& type) {
  static const std::map<std::string, const DeployStepType*> kSteps = {
      {"registry", &RegistryStep()},
      {"npm", &NpmStep()},
      {"terraform", &TerraformStep()},
      {"command", &CommandStep()},
  };
  auto found = kSteps.find(type);
  return found == kSteps.end() ? nullptr : found->second;
}

Status PromoteImage(DistributionClient& source, const std::string& source_repository,
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

}  // namespace hoist
