#pragma once

#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "util/expected.h"

namespace hoist {

/// The CI vendors hoist writes configs for.
enum class CiVendor { kCircleCi, kGithub, kGitlab };

/// Parses "circleci", "github" or "gitlab".
Expected<CiVendor> ParseCiVendor(const std::string& text);
/// Where the vendor reads its config: .circleci/config.yml, .github/workflows/hoist.yml,
/// .gitlab-ci.yml.
std::string DefaultCiPath(CiVendor vendor);

/// How the generated jobs run hoist (hoist.yml `ci:`, or flags).
struct CiOptions {
  std::string hoist = "hoist";  ///< the command that runs hoist on the CI machine
  std::string setup;            ///< a shell command each job runs first (e.g. installs hoist)
  std::vector<std::string> deploy_branches = {"main"};  ///< and version tags v*
  std::string runner;  ///< github runs-on / gitlab tag / circleci machine image ("" = default)
  /// `--remote` of build and test jobs ("" = none): e.g. spot:32, so that CI only
  /// orchestrates and builds run on big machines, with projects' own remote: settings.
  std::string remote;
};

/// One CI job: a project's build, one of its test jobs, or the deploy.
struct CiJob {
  enum class Kind { kBuild, kTest, kDeploy } kind;
  std::string id;                  ///< a job id valid for every vendor
  std::string title;               ///< what the CI's UI shows
  std::vector<std::string> needs;  ///< ids of the jobs that must pass first
  std::vector<std::string> commands;
};

/// The job graph of a manifest: one build job per project requiring its dependencies' builds,
/// a test job per declared test after its project's build, and one deploy job after all of
/// them. An error names a dependency cycle or two projects whose job ids would collide.
Expected<std::vector<CiJob>> PlanCiJobs(CiVendor vendor, const Manifest& manifest,
                                        const DependencyGraph& graph, const CiOptions& options);

/// The config file text for `vendor`, starting with a header saying how it was made.
std::string RenderCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                           const CiOptions& options, const std::string& manifest_file);

}  // namespace hoist
