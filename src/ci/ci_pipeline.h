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
  /// Regular expressions of the branches that deploy (matched whole), besides release tags.
  /// Not set: the repository's default branch where the CI says it, else main.
  std::vector<std::string> deploy_branches = {"main"};
  bool deploy_branches_set = false;
  std::string runner;  ///< github runs-on / gitlab tag / circleci machine image ("" = default)
  /// `--remote` of build and test jobs ("" = none): e.g. spot:32, so that CI only
  /// orchestrates and builds run on big machines, with projects' own remote: settings.
  std::string remote;
  /// The hoist version the jobs install: the generating hoist's own.
  std::string version;
  /// Where the jobs get hoist (hoist.yml ci.install): the image `hoist self publish` pushed,
  /// REF[@sha256:…] ("" = $HOIST_REGISTRY/hoist:<version>), or a release tarball's URL and
  /// sha256 instead.
  std::string install_image;
  std::string install_url;
  std::string install_sha256;
  /// GitLab's job image (hoist.yml ci.image): glibc-based, with the docker CLI and git, or
  /// they are installed with apt-get. Unused with a runner tag (a shell runner).
  std::string image = "debian:bookworm";
  /// The release tags (trust.tags): their pipelines deploy too.
  std::vector<std::string> release_tags = {"v[0-9].*", ".+-v[0-9].*"};
  /// The command that writes this config again; a job runs it with --check.
  std::string regenerate = "hoist ci generate";
};

/// One CI job: a project's build, one of its test jobs, or the deploy.
struct CiJob {
  enum class Kind { kBuild, kTest, kDeploy, kCheck } kind;
  std::string id;                  ///< a job id valid for every vendor
  std::string title;               ///< what the CI's UI shows
  std::vector<std::string> needs;  ///< ids of the jobs that must pass first
  std::vector<std::string> commands;
};

/// The job graph of a manifest: one build job per project requiring its dependencies' builds,
/// a test job per declared test after its project's build, a job checking that the config is
/// up to date with the manifest, and one deploy job after all of them. An error names a dependency
/// cycle or two projects whose job ids would collide.
Expected<std::vector<CiJob>> PlanCiJobs(CiVendor vendor, const Manifest& manifest,
                                        const DependencyGraph& graph, const CiOptions& options);

/// The config file text for `vendor`, starting with a header saying how it was made.
std::string RenderCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                           const CiOptions& options, const std::string& manifest_file);

}  // namespace hoist
