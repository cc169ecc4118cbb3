#include "compat/aztec_shims.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hoist {
namespace {

namespace fs = std::filesystem;

const char* kMark = "hoist's shim for the Aztec build system's";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string Header(const std::string& name, AztecEra era, const std::string& usage) {
  return "#!/usr/bin/env bash\n# " + std::string(kMark) + " " + name + " (its " +
         AztecEraName(era) + " scripts, build-system " + AztecEraRevision(era) +
         "),\n# written by `hoist compat aztec install`: the same arguments, outputs and exit "
         "status,\n# with hoist doing the work. Usage: " +
         usage + "\n";
}

// The scripts' bodies. @ERA@ is the era's name; hoist is $HOIST when set.
const char* kSetupEnv =
    R"SH(# Sourced, as setup_env was: its variables go to $BASH_ENV, then into this shell.
BASH_ENV=${BASH_ENV:-$(mktemp)}
if ! BASH_ENV=$BASH_ENV "${HOIST:-hoist}" env --compat aztec-@ERA@ --build-system-path "@BSPATH@" -- "$@"; then
  exit 1
fi
cat "$BASH_ENV"
source "$BASH_ENV"
@SETU@set +e
)SH";

const char* kQueryManifest = R"SH(exec "${HOIST:-hoist}" query --compat aztec-@ERA@ "$@"
)SH";

const char* kContentHash = R"SH(set -euo pipefail
[ $# -ge 1 ] || { >&2 echo "usage: calculate_content_hash PROJECT [COMMIT]"; exit 1; }
COMMIT=${2:-${COMMIT_HASH:-}}
"${HOIST:-hoist}" hash --compat aztec --rev "${COMMIT:-HEAD}" "$1" | cut -f2
)SH";

const char* kImageTag = R"SH(set -euo pipefail
HASH=$("$(dirname "$0")/calculate_content_hash" "$1")
ARCH=${2:-}
if [ "$ARCH" = host ]; then ARCH=$(uname -m); fi
if [ "$ARCH" = aarch64 ]; then ARCH=arm64; fi
echo "cache-$HASH${ARCH:+-$ARCH}"
)SH";

const char* kImageUri = R"SH(set -euo pipefail
TAG=$("$(dirname "$0")/calculate_image_tag" "$@")
echo "${ECR_URL:-${HOIST_REGISTRY:-}}/$1:$TAG"
)SH";

const char* kImageExists = R"SH(set -eu
"${HOIST:-hoist}" image exists "$1" "$2" > /dev/null 2>&1
)SH";

const char* kTagRemote = R"SH(set -eu
# A fourth argument naming the deploy registry's region ($ECR_DEPLOY_REGION) tags there.
REGISTRY=${HOIST_REGISTRY:-${ECR_URL:-}}
if [ -n "${4:-}" ] && [ "$4" = "${ECR_DEPLOY_REGION:-}" ] && [ "${ECR_DEPLOY_URL:-}" != "${ECR_URL:-}" ]; then
  REGISTRY=$ECR_DEPLOY_URL
fi
on() {
  if [ -n "$REGISTRY" ]; then "${HOIST:-hoist}" --registry "$REGISTRY" "$@"; else "${HOIST:-hoist}" "$@"; fi
}
if ! on image exists "$1" "$2" > /dev/null 2>&1; then
  echo "Existing tag for image not found: $1:$2"
  exit 1
fi
echo "Tagging $1:$2 as $1:$3..."
on image tag "$1" "$2" "$3"
)SH";

const char* kUntagRemote = R"SH(set -eu
# A tag that is not there is no error, as with `aws ecr batch-delete-image`.
"${HOIST:-hoist}" image exists "$1" "$2" > /dev/null 2>&1 || exit 0
"${HOIST:-hoist}" image untag "$1" "$2" > /dev/null
)SH";

const char* kShouldDeploy = R"SH(set -eu
[ "${BRANCH:-}" == "master" ] || [ "${DRY_DEPLOY:-0}" -eq 1 ]
)SH";

const char* kShouldRelease = R"SH(set -eu
[[ -n "${COMMIT_TAG:-}" || "${BRANCH:-}" == "master" || "${COMMIT_MESSAGE:-}" == *"[ci force-release]"* ]]
)SH";

const char* kRetry = R"SH(for ATTEMPT in 1 2 3; do
  "$@" && exit 0
  [ "$ATTEMPT" = 3 ] || sleep "${HOIST_RETRY_SLEEP:-10}"
done
>&2 echo "$@ failed after 3 attempts"
exit 1
)SH";

const char* kBuild = R"SH(set -eu
# cache-<content hash> (-<arch> for multiarch: host), built only when absent.
exec "${HOIST:-hoist}" build --compat aztec "$1"
)SH";

const char* kSpotBuild = R"SH(set -eu
# The build runs on a spot machine of CPUS cores when the image is absent (hoist.yml's spot
# settings); ARCH is the machine's, as hoist's spot machines are.
exec "${HOIST:-hoist}" build --compat aztec --remote "spot:$2" "$1"
)SH";

const char* kRunScript = R"SH(set -eu
# Runs COMMAND in the project's directory unless cache-<hash>-$JOB_NAME says it passed, and
# tags that on a pass.
REPO=$1
shift
# Unquoted, as the script ran it: `cond_run_script P "yarn test"` is two words.
exec "${HOIST:-hoist}" test --compat aztec "$REPO" --job "$JOB_NAME" --host -- $@
)SH";

const char* kSpotRunTest = R"SH(set -euo pipefail
# SCRIPT (relative to the project's directory) runs unless cache-<hash>-$JOB_NAME says it
# passed, and that tag is written on a pass. It runs where hoist runs: hoist runs jobs on the
# host on this machine, not on a spot machine.
REPO=$1
SCRIPT=$("$(dirname "$0")/query_manifest" relativeProjectDir "$REPO")/$3
shift 3
mkdir -p /tmp/test-logs
# From the repository's top level, as the spot machine ran it.
"${HOIST:-hoist}" test --compat aztec "$REPO" --job "$JOB_NAME" --host -- \
  sh -c 'cd "$(git rev-parse --show-toplevel)" && exec "$@"' cond_spot_run_test "./$SCRIPT" "$@" \
  2>&1 | tee "/tmp/test-logs/$JOB_NAME.log"
)SH";

const char* kDeployEcr = R"SH(set -euo pipefail
# cache-<hash>[-ARCH] from the cache registry to the deploy registry as $COMMIT_HASH,
# $PROJECT-$COMMIT_TAG (tagged commits) and $DEPLOY_TAG, each [-ARCH]; only what the deploy
# registry lacks moves.
REPO=$1
ARCH=${2:-}
FROM=$("$(dirname "$0")/calculate_image_tag" "$REPO")${ARCH:+-$ARCH}
TO=${ECR_DEPLOY_URL:-${HOIST_DEPLOY_REGISTRY:-}}
if [ -z "$TO" ]; then
  >&2 echo "deploy_ecr: no deploy registry: run setup_env with hoist's --deploy-registry or HOIST_DEPLOY_REGISTRY set"
  exit 1
fi
copy() {
  echo "Tagging $REPO:$FROM as $REPO:$1..."
  "${HOIST:-hoist}" image copy "$REPO:$FROM" "$TO/$REPO:$1"
}
copy "$COMMIT_HASH${ARCH:+-$ARCH}"
if [ -n "${COMMIT_TAG:-}" ]; then copy "$PROJECT-$COMMIT_TAG${ARCH:+-$ARCH}"; fi
copy "$DEPLOY_TAG${ARCH:+-$ARCH}"
)SH";

const char* kEnsureRepo = R"SH(set -eu
# A registry of the OCI distribution spec makes a repository at its first push: nothing to do.
# Amazon ECR needs it made (with a lifecycle policy), which these shims do not do yet.
case "${ECR_URL:-${HOIST_REGISTRY:-}}" in
  *.dkr.ecr.*.amazonaws.com*)
    >&2 echo "ensure_repo: hoist's shims do not create Amazon ECR repositories yet; create '$1' with 'aws ecr create-repository', or use a registry that creates repositories on push"
    exit 1 ;;
esac
echo
)SH";

const char* kAddTimestamps = R"SH(while IFS= read -r LINE; do
  echo "$(date '+%Y-%m-%d %H:%M:%S') $LINE"
done
)SH";

const char* kCheckRebuild = R"SH(set -eu
# Exit 0: TAG is there and nothing asks for a rebuild; 1: rebuild (the 2024 scripts' sense).
TAG=${1:-}
REPO=$2
[ -n "$TAG" ] || exit 1
[[ "${COMMIT_MESSAGE:-}" == *"[ci rebuild $REPO]"* ]] && exit 1
[[ "${COMMIT_MESSAGE:-}" == *"[ci rebuild]"* ]] && exit 1
DOCKERFILE=$("$(dirname "$0")/query_manifest" dockerfile "$REPO")
if [ -n "${COMMIT_TAG:-}" ] && grep -qE "^ARG COMMIT_TAG=" "$DOCKERFILE"; then exit 1; fi
"${HOIST:-hoist}" image exists "$REPO" "$TAG" > /dev/null 2>&1 || exit 1
)SH";

const char* kInitSubmodules = R"SH(set -eu
BUILD_DIR=$("$(dirname "$0")/query_manifest" buildDir "$1")
if [ -n "$(git submodule status "$BUILD_DIR" 2> /dev/null)" ]; then
  echo "Initializing submodules under $BUILD_DIR"
  git submodule update --init --recursive "$BUILD_DIR"
fi
)SH";

const char* kCreateEcrManifest = R"SH(set -eu
# hoist's multiarch: host builds write cache-<hash> as the index of every architecture built
# so far themselves; this checks it is there.
TAG=$("$(dirname "$0")/calculate_image_tag" "$1")
if ! "${HOIST:-hoist}" image exists "$1" "$TAG" > /dev/null 2>&1; then
  >&2 echo "create_ecr_manifest: $1:$TAG is missing: build the project on each architecture first"
  exit 1
fi
)SH";

const char* kEcrLogin = R"SH(set -eu
# Only Amazon ECR needs a login of its own; hoist reads docker's credentials for the others.
REGION=${1:-${ECR_REGION:-}}
case "${ECR_URL:-}" in
  *.dkr.ecr.*.amazonaws.com*)
    aws ecr get-login-password --region "$REGION" \
      | docker login --username AWS --password-stdin "${ECR_URL%%/*}" ;;
esac
)SH";

std::string NotProvided(const std::string& name, const std::string& instead) {
  return ">&2 echo \"" + name +
         ": hoist's Aztec shims do not provide this script yet (hoist issue 15); " + instead +
         "\"\nexit 1\n";
}

}  // namespace

std::vector<AztecShim> AztecShims(AztecEra era) {
  const std::string era_name = AztecEraName(era);
  const bool feb = era == AztecEra::kJson2023Feb;
  const bool yaml = era == AztecEra::kYaml2024;
  std::vector<AztecShim> shims;
  auto add = [&](const std::string& name, const std::string& usage, std::string body,
                 bool provided = true) {
    body = Replace(body, "@SETU@", feb ? "" : "set -u  # as its set -eu left it\n");
    body = Replace(Replace(body, "@ERA@", era_name), "@BSPATH@",
                   feb ? "$PWD" : "$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/..\" && pwd)");
    shims.push_back({name, Header(name, era, usage) + body, provided});
  };
  auto missing = [&](const std::string& name, const std::string& usage,
                     const std::string& instead) {
    add(name, usage, NotProvided(name, instead), false);
  };
  add("setup_env",
      std::string("source ") + (feb ? "setup_env" : "build-system/scripts/setup_env") +
          " COMMIT_HASH COMMIT_TAG JOB_NAME GIT_REPOSITORY_URL BRANCH" +
          (feb ? "" : " [PULL_REQUEST]"),
      kSetupEnv);
  add("query_manifest", "query_manifest FIELD PROJECT" + std::string(yaml ? " [RUN]" : ""),
      kQueryManifest);
  add("calculate_content_hash", "calculate_content_hash PROJECT [COMMIT]", kContentHash);
  add("calculate_image_tag", "calculate_image_tag PROJECT [ARCH|host]", kImageTag);
  add("calculate_image_uri", "calculate_image_uri PROJECT [ARCH|host]", kImageUri);
  add("image_exists", "image_exists PROJECT TAG", kImageExists);
  add("tag_remote_image", "tag_remote_image PROJECT FROM TO [REGION]", kTagRemote);
  add("untag_remote_image", "untag_remote_image PROJECT TAG", kUntagRemote);
  add("should_deploy", "should_deploy", kShouldDeploy);
  add("should_release", "should_release", kShouldRelease);
  add("retry", "retry COMMAND [ARGS…]", kRetry);
  add("ensure_repo", "ensure_repo PROJECT REGION [refresh_lifecycle]", kEnsureRepo);
  add("add_timestamps", "COMMAND | add_timestamps", kAddTimestamps);
  add("init_submodules", "init_submodules PROJECT", kInitSubmodules);
  add("ecr_login", "ecr_login [REGION]", kEcrLogin);
  const std::string commit_keyed =
      "the 2023-02 scripts tagged images by commit (cache-$COMMIT_HASH); use the 2023-09 or "
      "2024 shims (content-hash tags) or hoist build";
  if (feb) {
    missing("build", "build PROJECT", commit_keyed);
    missing("cond_spot_run_build", "cond_spot_run_build PROJECT SPEC", commit_keyed);
    missing("cond_spot_run_tests", "cond_spot_run_tests PROJECT [ARGS…]", commit_keyed);
    missing("deploy_ecr", "deploy_ecr PROJECT", commit_keyed);
    missing("check_rebuild", "check_rebuild BASE_COMMIT PROJECT", commit_keyed);
    missing("cond_spot_run_script", "cond_spot_run_script PROJECT SUCCESS_TAG SPEC SCRIPT…",
            commit_keyed);
  } else {
    add("build", "build PROJECT", kBuild);
    add("cond_spot_run_build", "cond_spot_run_build PROJECT CPUS [ARCH]", kSpotBuild);
    add("cond_run_script", "cond_run_script PROJECT COMMAND [ARGS…]", kRunScript);
    add("cond_spot_run_test", "cond_spot_run_test PROJECT CPUS SCRIPT [ARGS…]", kSpotRunTest);
    add("cond_spot_run_tests", "cond_spot_run_tests PROJECT CPUS SCRIPT [ARGS…]", kSpotRunTest);
    add("deploy_ecr", "deploy_ecr PROJECT [ARCH]", kDeployEcr);
    add("check_rebuild", "check_rebuild TAG PROJECT", kCheckRebuild);
    add("create_ecr_manifest", "create_ecr_manifest PROJECT ARCH,ARCH", kCreateEcrManifest);
    missing("cond_spot_run_script", "cond_spot_run_script PROJECT CPUS ARCH COMMAND…",
            "use cond_run_script, or hoist test --host");
    missing("calculate_rebuild_files", "calculate_rebuild_files PROJECT [COMMIT]",
            "hoist explain PROJECT lists every input of the hash");
    missing("extract_tag_version", "extract_tag_version PROJECT [ERROR_ON_FAIL]",
            "strip the v from $COMMIT_TAG");
  }
  const std::string deploy = "deploy with hoist deploy (manifest deploy: steps) meanwhile";
  missing("build_local", "build_local [PROJECT]", "build with hoist build --local PROJECT");
  for (const char* name : {"cond_run_compose", "cond_run_container", "cond_spot_run_container",
                           "deploy_terraform_services"}) {
    missing(name, std::string(name) + " PROJECT …",
            "run it from a hoist test job's command meanwhile");
  }
  missing("cond_spot_run_compose", "cond_spot_run_compose PROJECT CPUS COMPOSE_FILE [K=V…]",
          "run docker compose from a hoist test job's command meanwhile");
  missing("deploy", "deploy PROJECT [SERVICES] [TO_TAINT]", deploy);
  missing("deploy_global", "deploy_global PROJECT", deploy);
  missing("deploy_dockerhub", "deploy_dockerhub PROJECT", "copy with hoist image copy meanwhile");
  missing("deploy_npm", "deploy_npm PROJECT [DIST_TAG] [STANDALONE]", deploy);
  missing("deploy_s3", "deploy_s3 PROJECT IS_GLOBAL", deploy);
  missing("deploy_terraform", "deploy_terraform PROJECT TF_DIR [TO_TAINT]", deploy);
  missing("deploy_service", "deploy_service NAME", deploy);
  missing("extract_repo", "extract_repo PROJECT [FROM TO]…",
          "use docker create and docker cp on the image calculate_image_uri names");
  return shims;
}

Expected<AztecInstall> InstallAztecShims(const std::string& dir, AztecEra era, bool force) {
  AztecInstall install;
  install.directory = era == AztecEra::kJson2023Feb ? dir : (fs::path(dir) / "scripts").string();
  std::error_code ec;
  fs::create_directories(install.directory, ec);
  if (ec) return Error{"cannot create " + install.directory + ": " + ec.message()};
  auto shims = AztecShims(era);
  // Nothing is written unless every file may be: a team's own script is never lost.
  std::vector<std::string> foreign;
  for (const auto& shim : shims) {
    fs::path path = fs::path(install.directory) / shim.name;
    if (!fs::exists(path, ec)) continue;
    std::ifstream in(path);
    std::string head((std::istreambuf_iterator<char>(in)), {});
    if (head.find(kMark) == std::string::npos) foreign.push_back(path.string());
  }
  if (!foreign.empty() && !force) {
    std::string list;
    for (const auto& path : foreign) list += "\n  " + path;
    return Error{"these files are not hoist's shims and would be replaced:" + list +
                 "\n(move them away, or pass --force to replace them)"};
  }
  for (const auto& shim : shims) {
    fs::path path = fs::path(install.directory) / shim.name;
    fs::path temp = path.string() + ".hoist-new";
    {
      std::ofstream out(temp, std::ios::trunc);
      out << shim.text;
      if (!out) return Error{"cannot write " + temp.string()};
    }
    fs::permissions(temp,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
    fs::rename(temp, path, ec);
    if (ec) return Error{"cannot write " + path.string() + ": " + ec.message()};
    (shim.provided ? install.written : install.not_provided).push_back(shim.name);
  }
  return install;
}

}  // namespace hoist
