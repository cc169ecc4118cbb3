// The three vendors' config formats for one job graph (see ci_pipeline.h). Every job logs in
// to the registries, installs hoist (cached per vendor) and puts it on PATH for its later
// steps, then runs hoist env and its hoist command.
#include <yaml-cpp/yaml.h>

#include "ci/ci_dynamic.h"
#include "ci/ci_pipeline.h"

namespace hoist {
namespace {

/// A branch pattern that matches only itself: no character special to a regular expression
/// (nor a quote, which a GitHub expression string would have to escape).
bool Literal(const std::string& pattern) {
  return pattern.find_first_of("\\.^$|?*+()[]{}'\"") == std::string::npos;
}

}  // namespace

/// A shell step that logs in to the cache registry (and, for the deploy job, the deploy
/// registry) when a user is set; GitLab falls back to the job's token for its own registry.
std::string CiLoginScript(CiVendor vendor, bool deploy) {
  std::string text;
  auto login = [&](const std::string& registry, const std::string& user,
                   const std::string& password) {
    // No password (a fork's pull request gets no secrets): no login, anonymous pulls.
    text += "if [ -n \"${" + user + ":-}\" ] && [ -n \"${" + password + ":-}\" ] && [ -n \"${" +
            registry +
            ":-}\" ]; then\n"
            "  printf '%s\\n' \"$" +
            password + "\" | docker login -u \"$" + user + "\" --password-stdin \"${" + registry +
            "%%/*}\"\n";
    if (vendor == CiVendor::kGitlab && registry == "HOIST_REGISTRY") {
      text +=
          "elif [ \"${HOIST_REGISTRY%%/*}\" = \"${CI_REGISTRY:-}\" ] && [ -n \"${CI_REGISTRY:-}\" "
          "]; then\n"
          "  printf '%s\\n' \"$CI_REGISTRY_PASSWORD\" | docker login -u \"$CI_REGISTRY_USER\" "
          "--password-stdin \"$CI_REGISTRY\"\n";
    }
    text += "fi\n";
  };
  login("HOIST_REGISTRY", "HOIST_REGISTRY_USER", "HOIST_REGISTRY_PASSWORD");
  if (deploy) {
    login("HOIST_DEPLOY_REGISTRY", "HOIST_DEPLOY_REGISTRY_USER", "HOIST_DEPLOY_REGISTRY_PASSWORD");
  }
  text.pop_back();  // no blank line at the end of a YAML block
  return text;
}

/// The directory jobs install hoist into (cached by the vendor between runs).
static const char* kInstallDir = "${HOIST_INSTALL_DIR:-$HOME/.hoist-install}";

/// A shell step that installs hoist `options.version` unless the cache has it, then puts it
/// on PATH in the vendor's way (`add_to_path`, with $dir/bin).
std::string CiInstallScript(const CiOptions& options, const std::string& add_to_path) {
  // Unpacked into a directory of its own and renamed into place: two jobs sharing the
  // directory (a shell runner) never see half an installation; the second keeps the first's.
  std::string text = "set -eu\nversion=" + options.version + "\ndir=\"" + kInstallDir +
                     "/$version\"\n"
                     "if [ ! -x \"$dir/bin/hoist\" ]; then\n"
                     "  mkdir -p \"${dir%/*}\"\n"
                     "  new=$(mktemp -d \"$dir.new.XXXXXX\")\n";
  if (!options.install_url.empty()) {
    text += "  curl -fsSL --retry 3 -o \"$new.tar.gz\" '" + options.install_url +
            "'\n"
            "  echo '" +
            options.install_sha256 +
            "  '\"$new.tar.gz\" | sha256sum -c -\n"
            "  tar -xzf \"$new.tar.gz\" -C \"$new\" --strip-components=1\n"
            "  rm -f \"$new.tar.gz\"\n";
  } else {
    // The image hoist self publish pushed: its one layer is the release tarball, checked by
    // docker against the digest (pinned in hoist.yml ci.install.image, or the tag's).
    const std::string image =
        options.install_image.empty()
            ? "${HOIST_REGISTRY:?set HOIST_REGISTRY: the registry hoist self publish pushed "
              "hoist to}/hoist:$version"
            : options.install_image;
    text += "  image=\"" + image +
            "\"\n"
            "  docker pull -q \"$image\" >/dev/null\n"
            "  container=$(docker create \"$image\" hoist)\n"
            "  docker cp \"$container:/hoist-$version-linux-$(uname -m)\" - |\n"
            "    tar -x -C \"$new\" --strip-components=1\n"
            "  docker rm \"$container\" >/dev/null\n";
  }
  text +=
      "  [ -x \"$dir/bin/hoist\" ] || rm -rf \"$dir\"\n"
      "  mv -T \"$new\" \"$dir\" 2>/dev/null || rm -rf \"$new\"\n"
      "fi\n"
      "\"$dir/bin/hoist\" --version\n" +
      add_to_path;
  return text;
}

/// What changes the installed hoist: the key of its cache (letters, digits, '.', '_', '-' only,
/// as GitLab requires). A pinned digest or sha256 is part of it; the default tag is not, so a
/// version republished with --replace reaches cached runners only once the cache expires.
std::string CiInstallKey(const CiOptions& options) {
  std::string what = options.install_url.empty() ? options.install_image : options.install_sha256;
  const size_t digest = what.find("@sha256:");
  if (digest != std::string::npos) what = what.substr(digest + 8);
  std::string key = "hoist-" + options.version;
  if (!what.empty()) {
    std::string part;
    for (char c : what) {
      const bool ok =
          std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      part += ok ? c : '-';
    }
    key += "-" + part.substr(0, 16);
  }
  return key;
}

/// `pattern` as a regular expression literal /^(?:pattern)$/ of GitLab's rules and CircleCI's
/// filters: an unescaped '/' would end it early ('release/.*'), so every '/' is written '\/'.
std::string SlashRegex(const std::string& pattern) {
  std::string escaped;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      escaped += pattern.substr(i, 2);  // an escape stays as it is ("\/" included)
      ++i;
    } else if (pattern[i] == '/') {
      escaped += "\\/";
    } else {
      escaped += pattern[i];
    }
  }
  return "/^(?:" + escaped + ")$/";
}

static const char* VendorName(CiVendor vendor) {
  return vendor == CiVendor::kCircleCi ? "circleci"
         : vendor == CiVendor::kGithub ? "github"
                                       : "gitlab";
}

std::string CiConfigHeader(CiVendor vendor, const std::string& manifest_file) {
  std::string text = std::string("# Generated by `hoist ci generate --vendor ") +
                     VendorName(vendor) + "` from " + manifest_file +
                     " (and hoist.yml); do not edit.\n"
                     "# Regenerate after changing the manifest; its ci-config job fails while "
                     "this file is out of date.\n#\n";
  switch (vendor) {
    case CiVendor::kGithub:
      text +=
          "# Set in the repository's Settings > Secrets and variables > Actions:\n"
          "#   variables HOIST_REGISTRY (the cache registry, HOST[/PREFIX]; hoist self publish\n"
          "#   pushes hoist there), HOIST_DEPLOY_REGISTRY, HOIST_REGISTRY_USER and\n"
          "#   HOIST_DEPLOY_REGISTRY_USER; secrets HOIST_REGISTRY_PASSWORD and\n"
          "#   HOIST_DEPLOY_REGISTRY_PASSWORD (no user: no docker login).\n";
      break;
    case CiVendor::kGitlab:
      text +=
          "# The cache registry is the project's own container registry ($CI_REGISTRY_IMAGE,\n"
          "# logged in with the job's token) unless the CI/CD variables say HOIST_REGISTRY (and\n"
          "# HOIST_REGISTRY_USER, HOIST_REGISTRY_PASSWORD); set HOIST_DEPLOY_REGISTRY (and its\n"
          "# _USER, _PASSWORD) for deploys. hoist self publish pushes hoist to HOIST_REGISTRY.\n";
      break;
    case CiVendor::kCircleCi:
      text +=
          "# Set in the project's environment variables (or a context): HOIST_REGISTRY (the\n"
          "# cache registry, HOST[/PREFIX]; hoist self publish pushes hoist there),\n"
          "# HOIST_DEPLOY_REGISTRY, and for docker login HOIST_REGISTRY_USER,\n"
          "# HOIST_REGISTRY_PASSWORD, HOIST_DEPLOY_REGISTRY_USER, "
          "HOIST_DEPLOY_REGISTRY_PASSWORD.\n";
      break;
  }
  return text;
}

/// GitHub's `if:` for the deploy job: pushes of a deploy branch or any tag (hoist checks the
/// tag against trust.tags). Expressions have no regular expressions: branches written as plain
/// names are compared here, and with any other pattern every branch's deploy job starts and
/// hoist decides.
std::string GithubDeployCondition(const CiOptions& options) {
  std::string branches;
  if (!options.deploy_branches_set) {
    branches = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
  } else {
    for (const auto& branch : options.deploy_branches) {
      if (!Literal(branch)) {
        branches = "startsWith(github.ref, 'refs/heads/')";
        break;
      }
      branches += (branches.empty() ? "" : " || ") + std::string("github.ref == 'refs/heads/") +
                  branch + "'";
    }
  }
  return "github.event_name == 'push' && (startsWith(github.ref, 'refs/tags/') || " + branches +
         ")";
}

namespace {

/// CircleCI 2.1: one workflow; every job also runs for tags (CircleCI runs a job on a tag only
/// when it and all it requires say so); deploy only on the deploy branches and release tags.
std::string RenderCircleCi(const std::vector<CiJob>& jobs, const CiOptions& options) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << "2.1";
  for (const auto& job : jobs) {
    // A plan job's pipeline is a setup workflow: the plan job continues it (the config it
    // planned, given to CircleCI's continuation API).
    if (job.kind == CiJob::Kind::kPlan) {
      out << YAML::Key << "setup" << YAML::Value << true;
      break;
    }
  }
  out << YAML::Key << "executors" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "hoist" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "machine" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "image"
      << YAML::Value
      // Ubuntu 24.04: glibc 2.39 (hoist's tarball needs 2.36; 22.04 has 2.35).
      << (options.runner.empty() ? "ubuntu-2404:current" : options.runner);
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  const std::string key = CiInstallKey(options) + "-{{ arch }}";
  out << YAML::Key << "jobs" << YAML::Value << YAML::BeginMap;
  for (const auto& job : jobs) {
    out << YAML::Key << job.id << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "executor" << YAML::Value << "hoist";
    out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq << "checkout";
    out << YAML::BeginMap << YAML::Key << "restore_cache" << YAML::Value << YAML::BeginMap
        << YAML::Key << "keys" << YAML::Value << YAML::Flow << std::vector<std::string>{key}
        << YAML::EndMap << YAML::EndMap;
    auto run = [&](const std::string& name, const std::string& command) {
      out << YAML::BeginMap << YAML::Key << "run" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "name" << YAML::Value << name;
      out << YAML::Key << "command" << YAML::Value << YAML::Literal << command;
      out << YAML::EndMap << YAML::EndMap;
    };
    run("registry login", CiLoginScript(CiVendor::kCircleCi, job.kind == CiJob::Kind::kDeploy));
    run("install hoist",
        CiInstallScript(options, "echo \"export PATH=\\\"$dir/bin:\\$PATH\\\"\" >> \"$BASH_ENV\""));
    out << YAML::BeginMap << YAML::Key << "save_cache" << YAML::Value << YAML::BeginMap << YAML::Key
        << "key" << YAML::Value << key << YAML::Key << "paths" << YAML::Value << YAML::Flow
        << std::vector<std::string>{"~/.hoist-install"} << YAML::EndMap << YAML::EndMap;
    for (const auto& command : job.commands) {
      out << YAML::BeginMap << YAML::Key << "run" << YAML::Value << command << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndMap;
  auto regex = [](const std::vector<std::string>& patterns) {
    std::vector<std::string> regexes;
    for (const auto& pattern : patterns) regexes.push_back(SlashRegex(pattern));
    return regexes;
  };
  out << YAML::Key << "workflows" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "hoist" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "jobs" << YAML::Value << YAML::BeginSeq;
  for (const auto& job : jobs) {
    // No `name:`: CircleCI's `requires` would then have to use it instead of the job id.
    out << YAML::BeginMap << YAML::Key << job.id << YAML::Value << YAML::BeginMap;
    if (!job.needs.empty()) {
      out << YAML::Key << "requires" << YAML::Value << YAML::Flow << job.needs;
    }
    out << YAML::Key << "filters" << YAML::Value << YAML::BeginMap;
    if (job.kind == CiJob::Kind::kDeploy) {
      // CircleCI names no default branch: without ci.deployBranches every branch's deploy job
      // starts, and hoist deploys only from the default branch's run (where it knows it) or
      // main.
      if (options.deploy_branches_set) {
        out << YAML::Key << "branches" << YAML::Value << YAML::BeginMap << YAML::Key << "only"
            << YAML::Value << YAML::Flow << regex(options.deploy_branches) << YAML::EndMap;
      }
      out << YAML::Key << "tags" << YAML::Value << YAML::BeginMap << YAML::Key << "only"
          << YAML::Value << YAML::Flow << regex(options.release_tags) << YAML::EndMap;
    } else {
      out << YAML::Key << "tags" << YAML::Value << YAML::BeginMap << YAML::Key << "only"
          << YAML::Value << "/.*/" << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return out.c_str();
}

/// GitHub Actions: one workflow on pushes (branches and release tags) and pull requests from
/// forks (a same-repository pull request's branch already runs on push).
std::string RenderGithub(const std::vector<CiJob>& jobs, const CiOptions& options) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "hoist";
  out << YAML::Key << "on" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "push" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "branches" << YAML::Value << YAML::Flow << std::vector<std::string>{"**"};
  // Every tag: a glob cannot say trust.tags' regular expressions; hoist deploys only release
  // tags and says "nothing to deploy" for the others.
  out << YAML::Key << "tags" << YAML::Value << YAML::Flow << std::vector<std::string>{"**"};
  out << YAML::EndMap;
  out << YAML::Key << "pull_request" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "permissions" << YAML::Value << YAML::BeginMap << YAML::Key << "contents"
      << YAML::Value << "read" << YAML::EndMap;
  // A newer push to a pull request replaces its running pipeline; pushes to branches all run.
  out << YAML::Key << "concurrency" << YAML::Value << YAML::BeginMap << YAML::Key << "group"
      << YAML::Value
      << "hoist-${{ github.event.pull_request.number && format('pr-{0}', "
         "github.event.pull_request.number) || github.run_id }}"
      << YAML::Key << "cancel-in-progress" << YAML::Value
      << "${{ github.event_name == 'pull_request' }}" << YAML::EndMap;
  out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
  for (const char* name : {"HOIST_REGISTRY", "HOIST_DEPLOY_REGISTRY"}) {
    out << YAML::Key << name << YAML::Value << std::string("${{ vars.") + name + " }}";
  }
  out << YAML::EndMap;
  out << YAML::Key << "jobs" << YAML::Value << YAML::BeginMap;
  const std::string fork_only =
      "github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name != "
      "github.repository";
  for (const auto& job : jobs) {
    const bool deploy = job.kind == CiJob::Kind::kDeploy;
    out << YAML::Key << job.id << YAML::Value << YAML::BeginMap;
    const bool wave = job.kind == CiJob::Kind::kWave;
    // A wave's jobs are a matrix: each runs as its own job, named for what it does.
    out << YAML::Key << "name" << YAML::Value << (wave ? "${{ matrix.job.title }}" : job.title);
    out << YAML::Key << "runs-on" << YAML::Value
        << (options.runner.empty() ? "ubuntu-latest" : options.runner);
    if (!job.needs.empty()) out << YAML::Key << "needs" << YAML::Value << YAML::Flow << job.needs;
    const std::string condition = deploy ? GithubDeployCondition(options) : fork_only;
    out << YAML::Key << "if" << YAML::Value
        << (job.run_if.empty() ? condition : job.run_if + " && (" + condition + ")");
    if (!job.outputs.empty()) {
      out << YAML::Key << "outputs" << YAML::Value << YAML::BeginMap;
      for (const auto& name : job.outputs) {
        out << YAML::Key << name << YAML::Value << "${{ steps.plan.outputs." + name + " }}";
      }
      out << YAML::EndMap;
    }
    if (wave) {
      // Every job of the wave runs to its end when another fails (as in a static pipeline).
      out << YAML::Key << "strategy" << YAML::Value << YAML::BeginMap << YAML::Key << "fail-fast"
          << YAML::Value << false << YAML::Key << "matrix" << YAML::Value << YAML::BeginMap
          << YAML::Key << "job" << YAML::Value
          << "${{ fromJSON(needs.plan.outputs." + job.matrix + ") }}" << YAML::EndMap
          << YAML::EndMap;
      // Passed through the environment, never pasted into the script.
      out << YAML::Key << "env" << YAML::Value << YAML::BeginMap << YAML::Key << "HOIST_CI_JOB"
          << YAML::Value << "${{ matrix.job.id }}" << YAML::EndMap;
    }
    if (deploy) {
      // One deploy per ref at a time, a running one never cancelled (GitHub cancels a pending
      // one when a newer one of its group arrives: per ref, that newer one deploys the same
      // target later); hoist's lease serialises deploys across refs.
      out << YAML::Key << "concurrency" << YAML::Value << YAML::BeginMap << YAML::Key << "group"
          << YAML::Value << "hoist-deploy-${{ github.ref }}" << YAML::Key << "cancel-in-progress"
          << YAML::Value << false << YAML::EndMap;
    }
    out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
    // A shallow clone: a build decision needs the commit's tree and the registry only.
    out << YAML::BeginMap << YAML::Key << "uses" << YAML::Value << "actions/checkout@v4"
        << YAML::EndMap;
    out << YAML::BeginMap << YAML::Key << "uses" << YAML::Value << "actions/cache@v4";
    out << YAML::Key << "with" << YAML::Value << YAML::BeginMap << YAML::Key << "path"
        << YAML::Value << "~/.hoist-install" << YAML::Key << "key" << YAML::Value
        << CiInstallKey(options) + "-${{ runner.os }}-${{ runner.arch }}" << YAML::EndMap
        << YAML::EndMap;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "registry login";
    out << YAML::Key << "run" << YAML::Value << YAML::Literal
        << CiLoginScript(CiVendor::kGithub, deploy);
    out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
    for (const std::string prefix : {"HOIST_REGISTRY", "HOIST_DEPLOY_REGISTRY"}) {
      if (prefix == "HOIST_DEPLOY_REGISTRY" && !deploy) continue;
      out << YAML::Key << prefix + "_USER" << YAML::Value << "${{ vars." + prefix + "_USER }}";
      out << YAML::Key << prefix + "_PASSWORD" << YAML::Value
          << "${{ secrets." + prefix + "_PASSWORD }}";
    }
    out << YAML::EndMap << YAML::EndMap;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "install hoist";
    out << YAML::Key << "run" << YAML::Value << YAML::Literal
        << CiInstallScript(options, "echo \"$dir/bin\" >> \"$GITHUB_PATH\"") << YAML::EndMap;
    for (size_t i = 0; i < job.commands.size(); ++i) {
      out << YAML::BeginMap;
      // The plan job's last step writes its outputs.
      if (!job.outputs.empty() && i + 1 == job.commands.size()) {
        out << YAML::Key << "id" << YAML::Value << "plan";
      }
      out << YAML::Key << "run" << YAML::Value << job.commands[i] << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return out.c_str();
}

/// GitLab CI: stages build, test, deploy with `needs` mirroring the manifest (a DAG, not
/// stage by stage); deploy waits for every earlier stage (GitLab caps `needs` at 50 jobs).
/// GitLab's rules use RE2, as hoist does: deploy branches and release tags are matched there.
std::string RenderGitlab(const std::vector<CiJob>& jobs, const CiOptions& options) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  bool planned = false;
  for (const auto& job : jobs) planned = planned || job.kind == CiJob::Kind::kPlan;
  std::vector<std::string> stages = {"build", "test", "deploy"};
  if (planned) stages.insert(stages.begin(), "plan");
  out << YAML::Key << "stages" << YAML::Value << YAML::Flow << stages;
  const bool shell_runner = !options.runner.empty();
  out << YAML::Key << "variables" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "GIT_DEPTH" << YAML::Value << YAML::DoubleQuoted << "1";
  // Inside the project directory (GitLab caches only paths there), under .hoist/, which hoist
  // never counts as part of the working tree: no project's hash sees it.
  out << YAML::Key << "HOIST_INSTALL_DIR" << YAML::Value << "$CI_PROJECT_DIR/.hoist/install";
  // The project's own registry unless the CI/CD variables say otherwise (they win over these).
  out << YAML::Key << "HOIST_REGISTRY" << YAML::Value << "$CI_REGISTRY_IMAGE";
  for (const auto& [name, value] : options.variables) {
    out << YAML::Key << name << YAML::Value << value;
  }
  if (!shell_runner) {
    out << YAML::Key << "DOCKER_HOST" << YAML::Value << "tcp://docker:2376";
    out << YAML::Key << "DOCKER_TLS_CERTDIR" << YAML::Value << "/certs";
    out << YAML::Key << "DOCKER_TLS_VERIFY" << YAML::Value << YAML::DoubleQuoted << "1";
    out << YAML::Key << "DOCKER_CERT_PATH" << YAML::Value << "/certs/client";
  }
  out << YAML::EndMap;
  out << YAML::Key << "default" << YAML::Value << YAML::BeginMap;
  if (shell_runner) {
    out << YAML::Key << "tags" << YAML::Value << YAML::Flow
        << std::vector<std::string>{options.runner};
  } else {
    out << YAML::Key << "image" << YAML::Value << options.image;
    out << YAML::Key << "services" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
        << "name" << YAML::Value << "docker:27-dind" << YAML::Key << "alias" << YAML::Value
        << "docker" << YAML::EndMap << YAML::EndSeq;
  }
  out << YAML::Key << "cache" << YAML::Value << YAML::BeginMap << YAML::Key << "key" << YAML::Value
      << CiInstallKey(options) << YAML::Key << "paths" << YAML::Value << YAML::Flow
      << std::vector<std::string>{".hoist/install/"} << YAML::EndMap;
  std::vector<std::string> before;
  if (!shell_runner) {
    before.push_back(
        "command -v docker >/dev/null && command -v git >/dev/null && command -v curl >/dev/null "
        "|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io git "
        "curl ca-certificates >/dev/null; }");
  }
  before.push_back(CiLoginScript(CiVendor::kGitlab, false));
  before.push_back(CiInstallScript(options, "export PATH=\"$dir/bin:$PATH\""));
  out << YAML::Key << "before_script" << YAML::Value << YAML::BeginSeq;
  for (const auto& step : before) out << YAML::Literal << step;
  out << YAML::EndSeq;
  out << YAML::EndMap;
  for (const auto& job : jobs) {
    out << YAML::Key << job.id << YAML::Value << YAML::BeginMap;
    const char* stage = job.kind == CiJob::Kind::kTest     ? "test"
                        : job.kind == CiJob::Kind::kDeploy ? "deploy"
                        : job.kind == CiJob::Kind::kPlan   ? "plan"
                                                           : "build";
    out << YAML::Key << "stage" << YAML::Value << stage;
    if (job.kind == CiJob::Kind::kTrigger) {
      // The child pipeline the plan job wrote, which this pipeline's result waits for. A
      // trigger job takes none of the defaults (no image, before_script or cache) and passes
      // on none of this file's variables: a variable passed downstream would outrank the
      // project's CI/CD variables there (HOIST_REGISTRY would be $CI_REGISTRY_IMAGE again);
      // the child pipeline sets its own.
      out << YAML::Key << "needs" << YAML::Value << YAML::Flow << job.needs;
      out << YAML::Key << "inherit" << YAML::Value << YAML::BeginMap << YAML::Key << "default"
          << YAML::Value << false << YAML::Key << "variables" << YAML::Value << false
          << YAML::EndMap;
      out << YAML::Key << "trigger" << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "include" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key
          << "artifact" << YAML::Value << job.outputs.at(0) << YAML::Key << "job" << YAML::Value
          << job.needs.at(0) << YAML::EndMap << YAML::EndSeq;
      out << YAML::Key << "strategy" << YAML::Value << "depend";
      out << YAML::Key << "forward" << YAML::Value << YAML::BeginMap << YAML::Key
          << "yaml_variables" << YAML::Value << false << YAML::Key << "pipeline_variables"
          << YAML::Value << true << YAML::EndMap << YAML::EndMap;
      out << YAML::EndMap;
      continue;
    }
    if (job.kind == CiJob::Kind::kNothing) {
      // GitLab refuses an empty pipeline: this job, which clones and installs nothing, is
      // the child pipeline of a push that changes nothing.
      out << YAML::Key << "needs" << YAML::Value << YAML::Flow << std::vector<std::string>{};
      out << YAML::Key << "inherit" << YAML::Value << YAML::BeginMap << YAML::Key << "default"
          << YAML::Value << false << YAML::EndMap;
      if (shell_runner) {
        out << YAML::Key << "tags" << YAML::Value << YAML::Flow
            << std::vector<std::string>{options.runner};
      } else {
        out << YAML::Key << "image" << YAML::Value << options.image;
      }
      out << YAML::Key << "variables" << YAML::Value << YAML::BeginMap << YAML::Key
          << "GIT_STRATEGY" << YAML::Value << "none" << YAML::EndMap;
      out << YAML::Key << "script" << YAML::Value << job.commands;
      out << YAML::EndMap;
      continue;
    }
    if (job.kind == CiJob::Kind::kPlan) {
      out << YAML::Key << "artifacts" << YAML::Value << YAML::BeginMap << YAML::Key << "paths"
          << YAML::Value << YAML::Flow << job.outputs << YAML::Key << "expire_in" << YAML::Value
          << "1 week" << YAML::EndMap;
    }
    if (job.kind != CiJob::Kind::kDeploy) {
      out << YAML::Key << "needs" << YAML::Value << YAML::Flow << job.needs;
    } else {
      out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
      if (!options.deploy_branches_set) {
        out << YAML::BeginMap << YAML::Key << "if" << YAML::Value
            << "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" << YAML::EndMap;
      }
      for (const auto& branch :
           options.deploy_branches_set ? options.deploy_branches : std::vector<std::string>{}) {
        out << YAML::BeginMap << YAML::Key << "if" << YAML::Value
            << "$CI_COMMIT_BRANCH =~ " + SlashRegex(branch) << YAML::EndMap;
      }
      for (const auto& tag : options.release_tags) {
        out << YAML::BeginMap << YAML::Key << "if" << YAML::Value
            << "$CI_COMMIT_TAG =~ " + SlashRegex(tag) << YAML::EndMap;
      }
      out << YAML::EndSeq;
      // One deploy at a time (hoist's lease backs this up).
      out << YAML::Key << "resource_group" << YAML::Value << "hoist-deploy";
      // The deploy registry's login too.
      std::vector<std::string> script = {CiLoginScript(CiVendor::kGitlab, true)};
      script.insert(script.end(), job.commands.begin(), job.commands.end());
      out << YAML::Key << "script" << YAML::Value << script;
      out << YAML::EndMap;
      continue;
    }
    out << YAML::Key << "script" << YAML::Value << job.commands;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace

std::string RenderCiJobs(CiVendor vendor, const std::vector<CiJob>& jobs,
                         const CiOptions& options) {
  return (vendor == CiVendor::kCircleCi ? RenderCircleCi(jobs, options)
          : vendor == CiVendor::kGithub ? RenderGithub(jobs, options)
                                        : RenderGitlab(jobs, options)) +
         "\n";
}

std::string RenderCiConfig(CiVendor vendor, const std::vector<CiJob>& jobs,
                           const CiOptions& options, const std::string& manifest_file) {
  if (options.dynamic) return RenderDynamicCiConfig(vendor, jobs, options, manifest_file);
  return CiConfigHeader(vendor, manifest_file) + RenderCiJobs(vendor, jobs, options);
}

}  // namespace hoist
