#include "compat/aztec_env.h"

#include <regex>

#include "compat/raw_manifest.h"

namespace hoist {
namespace {

const std::regex kEcr("([0-9]+)\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(/.*)?");

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// `${TEXT%.*}`: without the shortest '.…' suffix.
std::string CutLastDot(const std::string& text) {
  size_t dot = text.rfind('.');
  return dot == std::string::npos ? text : text.substr(0, dot);
}
/// `${TEXT##*-}`: after the last '-'.
std::string AfterLastDash(const std::string& text) {
  size_t dash = text.rfind('-');
  return dash == std::string::npos ? text : text.substr(dash + 1);
}

/// `echo export NAME=$VALUE`: unquoted, so the words of VALUE joined by single spaces.
std::string Export(const std::string& name, const std::string& value) {
  std::string words;
  for (const auto& word : ShellWords(value)) words += (words.empty() ? "" : " ") + word;
  return "export " + name + "=" + words;
}

std::string EcrRegionOf(const std::string& registry);

/// The scripts set AWS_DEFAULT_REGION to the deploy registry's region.
std::string DefaultRegion(const AztecEnvInput& in) {
  if (auto region = EcrRegionOf(in.ecr_deploy_url); !region.empty()) return region;
  if (auto region = EcrRegionOf(in.ecr_url); !region.empty()) return region;
  return in.aws_default_region;
}

/// The region the scripts pass around to say which registry (tag_remote_image's 4th
/// argument): an ECR host's own, else a name of hoist's for that registry ("" without one).
std::string RegionName(const std::string& registry, const std::string& stand_in) {
  if (auto region = EcrRegionOf(registry); !region.empty()) return region;
  return registry.empty() ? "" : stand_in;
}

/// The six registry lines both eras wrote, in their order.
void AddRegistries(std::vector<std::string>& e, const AztecEnvInput& in) {
  e.push_back(Export("AWS_DEFAULT_REGION", DefaultRegion(in)));
  e.push_back(Export("ECR_REGION", RegionName(in.ecr_url, "hoist-cache")));
  e.push_back(Export("AWS_ACCOUNT", EcrAccount(in.ecr_url)));
  e.push_back(Export("ECR_URL", in.ecr_url));
  e.push_back(Export("ECR_DEPLOY_REGION", RegionName(in.ecr_deploy_url, "hoist-deploy")));
  e.push_back(Export("ECR_DEPLOY_URL", in.ecr_deploy_url));
}

std::string Arg(const std::vector<std::string>& args, size_t i) {
  return i < args.size() ? args[i] : "";
}

AztecEnvOutput Yaml(const AztecEnvInput& in) {
  AztecEnvOutput out;
  if (in.args.size() < 3) {
    out.exit_code = 1;
    out.error = "setup_env: line 12: $" + std::to_string(in.args.size() + 1) +
                ": unbound variable (setup_env takes COMMIT_HASH COMMIT_TAG JOB_NAME "
                "[GIT_REPOSITORY_URL] [BRANCH] [PULL_REQUEST]; give '' for an empty one)\n";
    return out;
  }
  const std::string commit_hash = in.args[0];
  std::string commit_tag = in.args[1];
  if (size_t at = commit_tag.rfind("aztec-packages-"); at != std::string::npos) {
    commit_tag = commit_tag.substr(at + 15);  // ${2##*aztec-packages-}
  }
  const std::string job = in.args[2], url = Arg(in.args, 3), branch = Arg(in.args, 4),
                    pull_request = Arg(in.args, 5);
  out.printed = "COMMIT_HASH=" + commit_hash + "\nCOMMIT_TAG=" + commit_tag + "\nJOB_NAME=" + job +
                "\nGIT_REPOSITORY_URL=" + url + "\nBRANCH=" + branch +
                "\nPULL_REQUEST=" + pull_request + "\n";
  const bool dry = Contains(in.commit_message, "[ci dry-deploy]");
  if (dry) commit_tag = "v999.999.999";
  std::string deploy_env;
  if (branch == "master" || dry) {  // should_deploy
    if (!commit_tag.empty()) {
      if (Contains(commit_tag, "-")) {
        deploy_env = AfterLastDash(CutLastDot(commit_tag));
      } else {
        deploy_env = dry ? "dev" : "prod";
      }
    } else {
      deploy_env = "dev";
    }
  }
  const std::string deploy_tag = deploy_env.empty() ? "" : in.project + "-" + deploy_env;
  const std::string bs = in.build_system_path;
  auto& e = out.bash_env;
  e.push_back(Export("ROOT_PATH", in.root_path));
  e.push_back(Export("BUILD_SYSTEM_PATH", bs));
  e.push_back(Export("DOCKER_BUILDKIT", in.docker_buildkit.empty() ? "1" : in.docker_buildkit));
  e.push_back(Export("BUILDKIT_PROGRESS", "plain"));
  e.push_back(Export("SSH_CONFIG_PATH", bs + "/remote/ssh_config"));
  e.push_back(Export("PATH", "$PATH:" + bs + "/scripts"));
  AddRegistries(e, in);
  e.push_back(Export("DOCKERHUB_ACCOUNT", in.dockerhub_account));
  e.push_back(Export("DOCKERHUB_USERNAME", in.dockerhub_username));
  e.push_back(Export("PROJECT", in.project));
  e.push_back(Export("COMMIT_HASH", commit_hash));
  e.push_back(Export("COMMIT_TAG", commit_tag));
  std::string message;
  for (char c : in.commit_message) message += c == '\'' ? std::string("'\\''") : std::string(1, c);
  e.push_back("export COMMIT_MESSAGE='" + message + "'");
  e.push_back(Export("JOB_NAME", job));
  e.push_back(Export("GIT_REPOSITORY_URL", url));
  e.push_back(Export("DEPLOY_ENV", deploy_env));
  e.push_back(Export("DEPLOY_TAG", deploy_tag));
  e.push_back(Export("BRANCH", branch));
  e.push_back(Export("PULL_REQUEST", pull_request));
  e.push_back(Export("DRY_DEPLOY", dry ? "1" : "0"));
  e.push_back("set -euo pipefail");
  const bool debug = Contains(in.commit_message, "[ci debug]");
  if (debug) {
    e.push_back("export BUILD_SYSTEM_DEBUG=1");
    e.push_back("set -x");
  }
  if (!commit_hash.empty()) {
    if (!in.alpine) e.push_back("export PATH=" + bs + "/bin:$PATH");
    if (debug) e.push_back("export BUILD_SYSTEM_DEBUG=1");
  }
  return out;
}

/// The JSON eras: 2023-02 (build-system 89389e8) and its September 2023 revision (5960747),
/// which took aztec-packages' release tags and release-please's VERSION file.
AztecEnvOutput Json(const AztecEnvInput& in) {
  AztecEnvOutput out;
  const bool sep = in.era == AztecEra::kJson2023Sep;
  if (sep && in.args.size() < 3) {
    out.exit_code = 1;
    out.error = "setup_env: $" + std::to_string(in.args.size() + 1) +
                ": unbound variable (setup_env takes COMMIT_HASH COMMIT_TAG JOB_NAME "
                "[GIT_REPOSITORY_URL] [BRANCH]; give '' for an empty one)\n";
    return out;
  }
  std::string commit_tag = Arg(in.args, 1);
  if (size_t at = commit_tag.rfind("aztec-packages-"); sep && at != std::string::npos) {
    commit_tag = commit_tag.substr(at + 15);
  }
  const std::string commit_hash = Arg(in.args, 0), job = Arg(in.args, 2), url = Arg(in.args, 3),
                    branch = Arg(in.args, 4);
  out.printed =
      sep ? "COMMIT_HASH=" + commit_hash + "\nCOMMIT_TAG=" + commit_tag + "\nJOB_NAME=" + job +
                "\nGIT_REPOSITORY_URL=" + url + "\nBRANCH=" + branch + "\n"
          : "Setting up environment COMMIT_HASH=" + commit_hash + ", COMMIT_TAG=" + commit_tag +
                ", JOB_NAME=" + job + ", GIT_REPOSITORY_URL=" + url + "\n";
  std::string version = in.version;
  if (sep) version = version.substr(0, version.find(" x-release-please-version"));
  std::string version_tag;
  if (!commit_tag.empty()) {
    out.printed += "Extracting commit tag version...\n";
    std::string without = commit_tag.substr(0, commit_tag.find('-'));  // ${COMMIT_TAG%%-*}
    std::string tag_version = CutLastDot(without);
    out.printed += "WITHOUT_VERSION_TAG=" + without + "\nCOMMIT_TAG_VERSION=" + tag_version + "\n";
    if ((sep ? commit_tag : tag_version) != version) {
      out.exit_code = 1;
      out.error = "Commit tag " + commit_tag + " does not match repo version " + version + ".\n";
      return out;
    }
    version_tag = Contains(commit_tag, "-") ? AfterLastDash(CutLastDot(commit_tag)) : "prod";
  } else {
    version_tag = branch == "stage" ? "stage" : "dev";
  }
  const std::string bs = in.build_system_path;
  auto& e = out.bash_env;
  e.push_back(Export("ROOT_PATH", in.root_path));
  e.push_back(Export("BUILD_SYSTEM_PATH", bs));
  e.push_back(Export("SSH_CONFIG_PATH", bs + "/remote/ssh_config"));
  e.push_back(Export("PATH", in.path + ":" + bs + (sep ? "/scripts" : "")));
  AddRegistries(e, in);
  e.push_back(Export("PROJECT", in.project));
  e.push_back(Export("COMMIT_HASH", commit_hash));
  e.push_back(Export("COMMIT_TAG", commit_tag));
  e.push_back(Export("JOB_NAME", job));
  e.push_back(Export("GIT_REPOSITORY_URL", url));
  e.push_back(Export("VERSION_TAG", version_tag));
  e.push_back(Export("DEPLOY_TAG", in.project + "-" + version_tag));
  e.push_back(Export("BRANCH", branch));
  if (!in.alpine) {
    e.push_back("export PATH=$PATH:" + bs + "/bin");
    e.push_back(Export("LD_LIBRARY_PATH", bs + "/lib"));
  }
  return out;
}

}  // namespace

namespace {
std::string EcrRegionOf(const std::string& registry) {
  std::smatch match;
  return std::regex_match(registry, match, kEcr) ? match[2].str() : "";
}
}  // namespace

std::string EcrRegion(const std::string& registry) {
  return EcrRegionOf(registry);
}

std::string EcrAccount(const std::string& registry) {
  std::smatch match;
  return std::regex_match(registry, match, kEcr) ? match[1].str() : "";
}

AztecEnvOutput AztecSetupEnv(const AztecEnvInput& input) {
  return input.era == AztecEra::kYaml2024 ? Yaml(input) : Json(input);
}

}  // namespace hoist
