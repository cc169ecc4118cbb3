#pragma once

#include <string>
#include <utility>
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
  /// The plan job's command and the one that runs a planned job by its id, with the options
  /// of this config.
  std::string plan = "hoist ci plan";
  std::string run_job = "hoist ci job";
  /// Variables every job gets besides the usual ones (GitLab's child pipeline of an untrusted
  /// run: HOIST_TRUST=untrusted).
  std::vector<std::pair<std::string, std::string>> variables;
  /// Affected-only pipelines (hoist.yml ci.dynamic, --dynamic): a plan job starts only the
  /// build and test jobs whose inputs changed (see ci_dynamic.h).
  bool dynamic = false;
};

/// One CI job: a project's build, one of its test jobs, the config check or the deploy; in a
/// dynamic pipeline also the plan job, GitHub's matrix job of one dependency wave, GitLab's
/// trigger of the planned child pipeline, or the job that says there is nothing to do.
struct CiJob {
  enum class Kind { kBuild, kTest, kDeploy, kCheck, kPlan, kWave, kTrigger, kNothing };
  CiJob(Kind what, std::string name, std::string shown, std::vector<std::string> after = {},
        std::vector<std::string> run = {})
      : kind(what),
        id(std::move(name)),
        title(std::move(shown)),
        needs(std::move(after)),
        commands(std::move(run)) {}

  Kind kind;
  std::string id;                  ///< a job id valid for every vendor
  std::string title;               ///< what the CI's UI shows
  std::vector<std::string> needs;  ///< ids of the jobs that must pass first
  std::vector<std::string> commands;
  /// The hoist arguments of its work (`build api`, `test api --job smoke`, `deploy`), which
  /// `hoist ci job ID` runs; empty for the config check.
  std::vector<std::string> args;
  int project = -1;  ///< the project a build or test job is of (index in manifest.projects)
  std::string test;  ///< the test job's name
  /// A GitHub expression that must hold too for the job to start ("" none).
  std::string run_if;
  /// kPlan: the outputs its step `plan` writes (GitHub); the file it leaves (GitLab).
  std::vector<std::string> outputs;
  /// kWave: the plan output that lists the wave's jobs (GitHub matrix).
  std::string matrix;
};

/// The job of `jobs` whose id is `id`, or nullptr.
const CiJob* FindCiJob(const std::vector<CiJob>& jobs, const std::string& id);

/// The job graph of a manifest: one build job per project requiring its dependencies' builds,
/// a test job per declared test after its project's build, a job checking that the config is
/// up to date with the manifest, and one deploy job after all of them. An error names a dependency
/// cycle or two projects whose job ids would collide.
Expected<std::vector<CiJob>> PlanCiJobs(CiVendor vendor, const Manifest& manifest,
                                        const DependencyGraph& graph, const CiOptions& options);

/// The config file text for `vendor`, starting with a header saying how it was made. With
/// options.dynamic, the pipeline of a plan job (RenderDynamicCiConfig).
std::string RenderCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                           const CiOptions& options, const std::string& manifest_file);

/// The jobs alone, in the vendor's format, with no header (a GitLab child pipeline, a CircleCI
/// continuation).
std::string RenderCiJobs(CiVendor vendor, const std::vector<CiJob>& jobs, const CiOptions& options);

/// The registry login step's script (the deploy registry's too for a deploy job) and the
/// install step's (then `add_to_path`, given $dir/bin), shared by every form of a pipeline.
std::string CiLoginScript(CiVendor vendor, bool deploy);
std::string CiInstallScript(const CiOptions& options, const std::string& add_to_path);
/// The key the vendor caches the installed hoist under.
std::string CiInstallKey(const CiOptions& options);
/// GitHub's `if:` of a deploy job (push of a deploy branch or a tag).
std::string GithubDeployCondition(const CiOptions& options);
/// `pattern` as /^(?:pattern)$/ with every '/' escaped (GitLab rules, CircleCI filters).
std::string SlashRegex(const std::string& pattern);

}  // namespace hoist
