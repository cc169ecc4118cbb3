#include "ci/ci_pipeline.h"

#include <map>

#include "util/subprocess.h"

namespace hoist {
namespace {

/// A project name as a job id: GitHub allows [A-Za-z0-9_-] only; '/' and '.' become '_'.
std::string JobIdPart(const std::string& name) {
  std::string id = name;
  for (char& c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return id;
}

}  // namespace

const CiJob* FindCiJob(const std::vector<CiJob>& jobs, const std::string& id) {
  for (const auto& job : jobs) {
    if (job.id == id) return &job;
  }
  return nullptr;
}

Expected<CiVendor> ParseCiVendor(const std::string& text) {
  if (text == "circleci") return CiVendor::kCircleCi;
  if (text == "github") return CiVendor::kGithub;
  if (text == "gitlab") return CiVendor::kGitlab;
  return Error{"unknown CI vendor '" + text + "': use circleci, github or gitlab"};
}

std::string DefaultCiPath(CiVendor vendor) {
  switch (vendor) {
    case CiVendor::kCircleCi:
      return ".circleci/config.yml";
    case CiVendor::kGithub:
      return ".github/workflows/hoist.yml";
    case CiVendor::kGitlab:
      return ".gitlab-ci.yml";
  }
  return "";
}

Expected<std::vector<CiJob>> PlanCiJobs(CiVendor vendor, const Manifest& manifest,
                                        const DependencyGraph& graph, const CiOptions& options) {
  auto order = graph.TopologicalOrder();
  if (!order) {
    return Error{"cannot generate a CI config: " + order.error().message +
                 " (a CI workflow graph must be acyclic; break the cycle in " + manifest.file +
                 ")"};
  }
  std::map<std::string, std::string> owner;  // job id -> what it came from
  auto claim = [&](const std::string& id, const std::string& what) -> Status {
    auto [it, inserted] = owner.emplace(id, what);
    if (!inserted) {
      return Error{"cannot generate a CI config: " + what + " and " + it->second +
                   " would both be CI job '" + id + "'; rename one of them"};
    }
    return Ok();
  };
  const std::string& hoist = options.hoist;
  // hoist env in each vendor's way of passing variables to the steps after it: CircleCI's
  // $BASH_ENV (hoist env appends to it), GitHub's $GITHUB_ENV, GitLab's one script: written
  // to a file by one line and read by the next, so that an error of hoist env fails the job
  // (inside eval "$(…)", or as the first command of an && list, set -e does not see it).
  const std::vector<std::string> env =
      vendor == CiVendor::kGithub ? std::vector<std::string>{hoist + " env --format github"}
      // (In .hoist/, which no project's hash counts; hoist env, last in its && list, still
      // stops the job when it fails.)
      : vendor == CiVendor::kGitlab
          ? std::vector<std::string>{"mkdir -p \"$CI_PROJECT_DIR/.hoist\" && " + hoist +
                                         " env > \"$CI_PROJECT_DIR/.hoist/env\"",
                                     ". \"$CI_PROJECT_DIR/.hoist/env\""}
          : std::vector<std::string>{hoist + " env"};
  auto with_env = [&env](const std::string& command) {
    std::vector<std::string> commands = env;
    commands.push_back(command);
    return commands;
  };
  std::vector<CiJob> jobs;
  std::vector<std::string> all;
  for (int p : *order) {
    const Project& project = manifest.projects[p];
    CiJob build{
        CiJob::Kind::kBuild, "build-" + JobIdPart(project.name), "build " + project.name, {}, {}};
    if (auto claimed = claim(build.id, "project '" + project.name + "'"); !claimed) {
      return claimed.error();
    }
    for (int dependency : graph.Dependencies(p)) {
      build.needs.push_back("build-" + JobIdPart(graph.Name(dependency)));
    }
    std::vector<std::string> build_words = {"build"};
    if (!options.remote.empty())
      build_words.insert(build_words.end(), {"--remote", options.remote});
    build_words.push_back(project.name);
    build.commands = with_env(hoist + " " + FormatCommand(build_words));
    build.args = build_words;
    build.project = p;
    all.push_back(build.id);
    jobs.push_back(std::move(build));
    for (const auto& test : project.tests) {
      std::vector<std::string> test_words = {"test"};
      if (!options.remote.empty())
        test_words.insert(test_words.end(), {"--remote", options.remote});
      test_words.insert(test_words.end(), {project.name, "--job", test.name});
      CiJob job{CiJob::Kind::kTest,
                "test-" + JobIdPart(project.name) + "-" + JobIdPart(test.name),
                "test " + project.name + " " + test.name,
                {"build-" + JobIdPart(project.name)},
                {}};
      if (auto claimed = claim(job.id, "test job '" + test.name + "' of '" + project.name + "'");
          !claimed) {
        return claimed.error();
      }
      job.commands = with_env(hoist + " " + FormatCommand(test_words));
      job.args = test_words;
      job.project = p;
      job.test = test.name;
      all.push_back(job.id);
      jobs.push_back(std::move(job));
    }
  }
  CiJob check{CiJob::Kind::kCheck,
              "ci-config",
              "CI config up to date",
              {},
              {options.regenerate + " --check"}};
  if (auto claimed = claim(check.id, "the CI config check job"); !claimed) return claimed.error();
  all.push_back(check.id);
  jobs.push_back(std::move(check));
  CiJob deploy{CiJob::Kind::kDeploy, "deploy", "deploy", all, with_env(hoist + " deploy")};
  deploy.args = {"deploy"};
  if (auto claimed = claim(deploy.id, "the deploy job"); !claimed) return claimed.error();
  jobs.push_back(std::move(deploy));
  for (auto& job : jobs) {
    if (!options.setup.empty()) job.commands.insert(job.commands.begin(), options.setup);
  }
  return jobs;
}

}  // namespace hoist
