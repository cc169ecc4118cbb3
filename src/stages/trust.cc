#include "stages/trust.h"

#include <re2/re2.h>

namespace hoist {
namespace {

/// The first of `patterns` that `name` fully matches, or "".
std::string Matching(const std::string& name, const std::vector<std::string>& patterns) {
  for (const auto& pattern : patterns) {
    RE2 regex(pattern, RE2::Quiet);
    if (regex.ok() && RE2::FullMatch(name, regex)) return pattern;
  }
  return "";
}

}  // namespace

Expected<TrustTier> DecideTrust(const PipelineFacts& facts, const HoistConfig& config,
                                const std::string& mode) {
  if (mode != "auto" && mode != "trusted" && mode != "untrusted") {
    return Error{"--trust (HOIST_TRUST) is auto, trusted or untrusted, not '" + mode + "'"};
  }
  if (!facts.proposal.empty()) {
    if (mode == "trusted") {
      return Error{"--trust trusted (HOIST_TRUST) is refused in " + facts.proposal +
                   ": a pull request's run never writes what trusted runs read"};
    }
    return TrustTier{false, facts.proposal};
  }
  if (mode == "untrusted") return TrustTier{false, "--trust untrusted (or HOIST_TRUST)"};
  if (mode == "trusted") return TrustTier{true, "--trust trusted (or HOIST_TRUST)"};
  if (facts.unknown_ci) {
    return TrustTier{false,
                     "a CI hoist does not recognise (CI is set): it cannot tell a pull request's "
                     "run there; give the jobs that may write --trust trusted (HOIST_TRUST)"};
  }
  const std::vector<std::string> branches =
      config.trust.branches_set ? config.trust.branches : DeployBranches(facts, config);
  const char* branches_key = config.trust.branches_set       ? "trust.branches"
                             : config.ci.deploy_branches_set ? "ci.deployBranches"
                                                             : "the default branch";
  if (!facts.tag.empty()) {  // a tag's run is decided by the tag (a tag may be called main)
    std::string pattern = Matching(facts.tag, config.trust.tags);
    if (!pattern.empty()) {
      return TrustTier{true, "tag " + facts.tag + " matches '" + pattern + "' (trust.tags)"};
    }
    return TrustTier{false, "tag " + facts.tag + " matches none of trust.tags", true};
  }
  if (!facts.branch.empty()) {
    std::string pattern = Matching(facts.branch, branches);
    if (!pattern.empty()) {
      return TrustTier{
          true, "branch " + facts.branch + " matches '" + pattern + "' (" + branches_key + ")"};
    }
    return TrustTier{false, "branch " + facts.branch + " matches none of " + branches_key, true};
  }
  return TrustTier{false, "no branch (a detached checkout) and no tag"};
}

std::vector<std::string> DeployBranches(const PipelineFacts& facts, const HoistConfig& config) {
  if (config.ci.deploy_branches_set || facts.default_branch.empty()) {
    return config.ci.deploy_branches;
  }
  return {RE2::QuoteMeta(facts.default_branch)};
}

bool IsDeployRef(const PipelineFacts& facts, const HoistConfig& config) {
  if (!facts.tag.empty()) return !Matching(facts.tag, config.trust.tags).empty();
  return !facts.branch.empty() && !Matching(facts.branch, DeployBranches(facts, config)).empty();
}

Expected<std::string> MayDeploy(const PipelineFacts& facts, const HoistConfig& config,
                                const TrustTier& tier, bool caller_decides) {
  if (tier.trusted || tier.not_listed) {
    const bool deploy_ref = IsDeployRef(facts, config);
    // Without a branch or tag, trust alone decides.
    if (!deploy_ref && (!facts.branch.empty() || !facts.tag.empty()) && !caller_decides) {
      return (facts.tag.empty() ? "branch " + facts.branch + " is not a deploy branch"
                                : "tag " + facts.tag + " is not a release tag") +
             std::string(" (hoist.yml ci.deployBranches, trust.tags)");
    }
    if (deploy_ref && !tier.trusted) {
      const bool listed = config.ci.deploy_branches_set;
      return Error{"not deploying: " + facts.branch + " is a deploy branch (" +
                   (listed ? "hoist.yml ci.deployBranches" : "the repository's default branch") +
                   ") but not trusted (" + tier.reason + "); add it to hoist.yml trust.branches" +
                   (listed ? ", or take it out of ci.deployBranches" : "")};
    }
  }
  if (!tier.trusted) {
    return Error{"not deploying from an untrusted run (" + tier.reason +
                 "): only trusted runs deploy (hoist.yml trust:)"};
  }
  return std::string();
}

std::string UntrustedLocation(const std::string& cache, const TrustConfig& trust) {
  if (!trust.untrusted_registry.empty()) return trust.untrusted_registry;
  std::string text = cache;
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text + "/untrusted";
}

}  // namespace hoist
