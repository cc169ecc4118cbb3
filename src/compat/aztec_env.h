#pragma once

#include <string>
#include <vector>

#include "compat/aztec_era.h"

namespace hoist {

/// What the Aztec build system's setup_env is given and finds.
struct AztecEnvInput {
  AztecEra era = AztecEra::kYaml2024;
  /// Its arguments: COMMIT_HASH COMMIT_TAG JOB_NAME [GIT_REPOSITORY_URL BRANCH [PULL_REQUEST]].
  std::vector<std::string> args;
  std::string root_path;          ///< the repository's top level
  std::string build_system_path;  ///< the folder holding scripts/ (2024) or the scripts (2023)
  std::string project;            ///< the PROJECT file ($ROOT_PATH/PROJECT; 2023: ../PROJECT)
  std::string version;            ///< 2023: the VERSION file (vMAJ.MIN)
  std::string commit_message;     ///< 2024: the subject of COMMIT_HASH's commit
  std::string path;               ///< $PATH (2023 wrote it out as it was)
  std::string docker_buildkit;    ///< $DOCKER_BUILDKIT ("" = unset)
  bool alpine = false;            ///< /etc/alpine-release exists
  // The registries: the scripts had Aztec's own account written in; hoist's come from its
  // settings (the cache registry is ECR_URL, the deploy registry ECR_DEPLOY_URL).
  std::string ecr_url;
  std::string ecr_deploy_url;
  std::string dockerhub_account;
  std::string dockerhub_username;
  std::string aws_default_region;  ///< $AWS_DEFAULT_REGION, when no registry names a region
};

/// What setup_env printed and appended to $BASH_ENV, or how it failed.
struct AztecEnvOutput {
  std::string printed;                ///< its echo lines (the `cat $BASH_ENV` aside)
  std::vector<std::string> bash_env;  ///< lines appended to $BASH_ENV, in order
  int exit_code = 0;
  std::string error;  ///< on stdout, as the script printed it
};

/// setup_env of `input.era`, variable for variable: COMMIT_TAG, DEPLOY_ENV/VERSION_TAG and
/// DEPLOY_TAG decided as it decided them (release tags, the <PROJECT>- prefix, pull requests,
/// `[ci dry-deploy]`, `[ci debug]`), written in its order and quoting.
AztecEnvOutput AztecSetupEnv(const AztecEnvInput& input);

/// "<account>.dkr.ecr.<region>.amazonaws.com[/…]" -> region ("" for another host).
std::string EcrRegion(const std::string& registry);
/// ... -> account ("" for another host).
std::string EcrAccount(const std::string& registry);

}  // namespace hoist
