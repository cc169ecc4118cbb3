#pragma once

#include <string>

namespace hoist {

/// Every tag hoist reads or writes in a project's repository, in one place. The names are
/// namespaced so that none can collide, whatever a project calls its stages, test jobs or deploy
/// tags: every name after a content hash (fixed length) starts with its own word.
///   cache-<hash>                the image (the Aztec build system's name)
///   cache-<hash>-<arch>         the image of one architecture (multiarch: host), arch from
///                               a fixed set, none of which starts with "stage-"
///   cache-<hash>-stage-<stage>  a named Dockerfile stage
///   branch-<12 hex>[-stage-<stage>]  the last build on a branch (cache-from), keyed by a
///                               digest of the branch name so no branch looks like a stage
///   passed-<hash>-<job>         marker: test job <job> passed on this image
///   deploy-<hash>-<deploytag>   marker: this image was deployed as <deploytag>
///   deployed-<deploytag>        marker: the hash deployed there now (moves)
///   built-<hash>                marker: who built the image cache-<hash>, its digest and
///                               the inputs of its hash
///   built-branch-<12 hex>       marker: the same for the last build on a branch (moves)
///   lease-<deploytag>           marker: a deploy to <deploytag> is under way (expires)
///   tainted                     marker: rebuild on the next build
namespace tag {

std::string Image(const std::string& hash);
std::string ArchImage(const std::string& hash, const std::string& arch);
std::string StageImage(const std::string& hash, const std::string& stage);
std::string BranchImage(const std::string& branch);
std::string BranchStageImage(const std::string& branch, const std::string& stage);
std::string TestPass(const std::string& hash, const std::string& job);
std::string Deployed(const std::string& hash, const std::string& deploy_tag);
std::string DeployPointer(const std::string& deploy_tag);
std::string Built(const std::string& hash);
std::string BranchBuilt(const std::string& branch);
std::string DeployLease(const std::string& deploy_tag);
inline const std::string kTaint = "tainted";
/// The Aztec build system's names (its YAML-era scripts), written and read only with
/// --compat aztec, where `hash` is its 40-digit content hash: a test pass was the image
/// itself tagged cache-<hash>-<job>, a deploy cache-<hash>-<deploytag>-deployed.
std::string AztecTestPass(const std::string& hash, const std::string& job);
std::string AztecDeployed(const std::string& hash, const std::string& deploy_tag);

/// What a tag of a project's repository is, seen from content hash `hash`.
struct Meaning {
  enum class Kind {
    kImage,
    kArchImage,
    kStageImage,
    kTestPass,
    kDeployed,
    kDeployPointer,
    kBuilt,
    kDeployLease,
    kTainted,
    kOther,  ///< another hash's, a branch's, or not hoist's
  } kind = Kind::kOther;
  std::string name;  ///< the arch, stage, job or deploy tag
};
Meaning Classify(const std::string& tag, const std::string& hash);

/// The longest stage name a tag holds beside a 64-digit hash.
inline constexpr size_t kMaxStageName = 128 - 6 - 64 - 7;

}  // namespace tag
}  // namespace hoist
