#include "store/tag_names.h"

#include <array>
#include <cctype>

#include "manifest/manifest.h"
#include "util/digest.h"

namespace hoist::tag {
namespace {

constexpr size_t kMaxTag = 128;
const std::string kCache = "cache-";
const std::string kStage = "-stage-";
const std::string kPassed = "passed-";
const std::string kDeploy = "deploy-";
const std::string kPointer = "deployed-";
const std::string kBuilt = "built-";
const std::string kLease = "lease-";
// The longest names a tag holds after a 64-digit hash; the manifest loader enforces them.
static_assert(7 + 64 + 1 + kMaxTestJobName <= kMaxTag);  // "passed-" <hash> "-" <job>

/// The architectures `docker info` and `uname -m` report: none begins with "stage-".
constexpr std::array<const char*, 12> kArchitectures = {"amd64", "arm64",   "x86_64", "aarch64",
                                                        "arm",   "armhf",   "armv7l", "i386",
                                                        "386",   "ppc64le", "s390x",  "riscv64"};

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

std::string BranchKey(const std::string& branch) {
  return "branch-" + Sha256Digest(branch).substr(7, 12);
}

}  // namespace

std::string Image(const std::string& hash) {
  return kCache + hash;
}
std::string ArchImage(const std::string& hash, const std::string& arch) {
  return kCache + hash + "-" + arch;
}
std::string StageImage(const std::string& hash, const std::string& stage) {
  return kCache + hash + kStage + stage;
}
std::string BranchImage(const std::string& branch) {
  return BranchKey(branch);
}
std::string BranchStageImage(const std::string& branch, const std::string& stage) {
  return BranchKey(branch) + kStage + stage;
}
std::string TestPass(const std::string& hash, const std::string& job) {
  return kPassed + hash + "-" + job;
}
std::string Deployed(const std::string& hash, const std::string& deploy_tag) {
  return kDeploy + hash + "-" + deploy_tag;
}
std::string DeployPointer(const std::string& deploy_tag) {
  return kPointer + deploy_tag;
}

std::string AztecTestPass(const std::string& hash, const std::string& job) {
  return kCache + hash + "-" + job;
}
std::string AztecDeployed(const std::string& hash, const std::string& deploy_tag) {
  return kCache + hash + "-" + deploy_tag + "-deployed";
}

std::string Built(const std::string& hash) {
  return kBuilt + hash;
}
std::string BranchBuilt(const std::string& branch) {
  return kBuilt + BranchKey(branch);
}
std::string DeployLease(const std::string& deploy_tag) {
  return kLease + deploy_tag;
}

Meaning Classify(const std::string& tag, const std::string& hash) {
  using Kind = Meaning::Kind;
  if (tag == kTaint) return {Kind::kTainted, ""};
  if (StartsWith(tag, kPointer)) return {Kind::kDeployPointer, tag.substr(kPointer.size())};
  if (StartsWith(tag, kLease)) return {Kind::kDeployLease, tag.substr(kLease.size())};
  if (tag == kBuilt + hash) return {Kind::kBuilt, ""};
  auto after = [&](const std::string& prefix, std::string& rest) {
    const std::string head = prefix + hash;
    if (!StartsWith(tag, head)) return false;
    rest = tag.substr(head.size());
    return true;
  };
  std::string rest;
  if (after(kPassed, rest) && StartsWith(rest, "-")) return {Kind::kTestPass, rest.substr(1)};
  if (after(kDeploy, rest) && StartsWith(rest, "-")) return {Kind::kDeployed, rest.substr(1)};
  if (after(kCache, rest)) {
    if (rest.empty()) return {Kind::kImage, ""};
    if (StartsWith(rest, kStage)) return {Kind::kStageImage, rest.substr(kStage.size())};
    for (const char* arch : kArchitectures) {
      if (rest == std::string("-") + arch) return {Kind::kArchImage, arch};
    }
  }
  return {Kind::kOther, ""};
}

}  // namespace hoist::tag
