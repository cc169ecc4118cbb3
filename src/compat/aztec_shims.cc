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
R=${ECR_URL:-${HOIST_REGISTRY:-}}
case "$R" in
  *.dkr.ecr.*.amazonaws.com*)
    # Amazon ECR removes a tag through its own API (an image left without tags goes too); the
    # registry's path prefix (HOST/PREFIX) is part of its repository name.
    case "$R" in */*) ECR_REPO=${R#*/}/$1 ;; *) ECR_REPO=$1 ;; esac
    aws ecr batch-delete-image --region="${ECR_REGION:-}" --repository-name "$ECR_REPO" --image-ids "imageTag=$2" > /dev/null
    exit 0 ;;
esac
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
# cache-<content hash> (-<arch> for multiarch: host), built only when absent; on Amazon ECR,
# the project's repository made first (ensure_repo), as the script did.
"$(dirname "$0")/ensure_repo" "$1" "${ECR_REGION:-}" refresh_lifecycle > /dev/null
exec "${HOIST:-hoist}" build --compat aztec "$1"
)SH";

const char* kSpotBuild = R"SH(set -eu
# The build runs on a spot machine of CPUS cores when the image is absent (hoist.yml's spot
# settings); ARCH is the machine's, as hoist's spot machines are. ensure_repo first, as build.
"$(dirname "$0")/ensure_repo" "$1" "${ECR_REGION:-}" refresh_lifecycle > /dev/null
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
# passed, and that tag is written on a pass. On a spot machine of CPUS cores (hoist.yml spot:):
# the script runs here, its docker commands on that machine's engine (DOCKER_HOST).
REPO=$1
CPUS=$2
SCRIPT=$("$(dirname "$0")/query_manifest" relativeProjectDir "$REPO")/$3
shift 3
mkdir -p /tmp/test-logs
# From the repository's top level, as the spot machine ran it.
"${HOIST:-hoist}" test --compat aztec "$REPO" --job "$JOB_NAME" --host --remote "spot:$CPUS" -- \
  sh -c 'cd "$(git rev-parse --show-toplevel)" && exec "$@"' cond_spot_run_test "./$SCRIPT" "$@" \
  2>&1 | tee "/tmp/test-logs/$JOB_NAME.log"
)SH";

const char* kDeployNpm = R"SH(set -eu
# The package as the image built it (/usr/src/<project dir>), published at the version of the
# commit's tag, gated on the project's image; npm's own registry setting (npm_config_registry)
# and NPM_TOKEN apply.
REPO=$1
@NPMARGS@[ -n "${COMMIT_TAG:-}" ] || { echo "Will only publish tagged commits to npm. Skipping." && exit 0; }
DIR=$("$(dirname "$0")/query_manifest" relativeProjectDir "$REPO")
STEP="type: npm, fromImage: '/usr/src/$DIR', distTag: '$DIST_TAG'"
# Each @aztec/ dependency gets the published version, unless STANDALONE.
[ -n "$STANDALONE" ] || STEP="$STEP, pinScope: '@aztec/'"
[ -z "${npm_config_registry:-}" ] || STEP="$STEP, registry: '$npm_config_registry'"
DRY=()
[ "${DRY_DEPLOY:-0}" != 1 ] || DRY=(--dry-run)
exec "${HOIST:-hoist}" deploy --compat aztec "$REPO" --step "{$STEP}" "${DRY[@]}"
)SH";

/// The shims that hand hoist a step write its words as YAML single-quoted strings.
const char* kQuoted =
    "quoted() { local Q=\"'\"; echo \"'${1//$Q/$Q$Q}'\"; }  # a YAML single-quoted string\n";

/// The deploy_dockerhub shims' account: one without a registry host is Docker Hub's, as docker
/// push took it.
const char* kHub = R"SH(HUB=${DOCKERHUB_ACCOUNT:-aztecprotocol}
case "${HUB%%/*}" in
  *.*|*:*|localhost) ;;
  *) HUB=registry-1.docker.io/$HUB ;;
esac
)SH";

const char* kDeploy = R"SH(set -eu
# deploy_ecr, then unless cache-<hash>-$DEPLOY_TAG-deployed says it was done: terraform in the
# project's terraform/ (taints first) and each service restarted, as one gated hoist deploy.
REPO=$1
@SERVICES@TO_TAINT=${3:-}
S=$(cd "$(dirname "$0")" && pwd)
cd "$("$S/query_manifest" projectDir "$REPO")"
"$S/deploy_ecr" "$REPO"
@GATE@  echo "No changes detected, skipping deployment."
  exit 0
fi
@QUOTED@# deploy_terraform itself, as the script called it (its state key, its taints, its variables).
STEPS=()
if [ -d @TFDIR@ ]; then
  STEPS+=(--step "{type: command, command: [$(quoted "$S/deploy_terraform"), $(quoted "@TFKEY@"), $(quoted "$PWD/@TFDIR@"), $(quoted "$TO_TAINT")]}")
else
  echo "No terraform directory found at terraform. Skipping."
fi
for SERVICE in $SERVICES; do
  STEPS+=(--step "{type: command, command: [$(quoted "$S/deploy_service"), $(quoted "@SERVICE@")]}")
done
DRY=()
[ "${DRY_DEPLOY:-0}" != 1 ] || DRY=(--dry-run)
if [ ${#STEPS[@]} -gt 0 ]; then
  "${HOIST:-hoist}" deploy --compat aztec "$REPO" --channel @CHANNEL@ "${STEPS[@]}" "${DRY[@]}"
fi
[ "${DRY_DEPLOY:-0}" = 1 ] || "$S/retry" "$S/tag_remote_image" "$REPO" "cache-$@KEY@" \
  "cache-$@KEY@-$DEPLOY_TAG-deployed"
)SH";

/// deploy's gate: the 2023-09 and 2024 scripts' (a tag of the content hash), and the 2023-02
/// ones' (the last deployed commit, then what changed since).
const char* kHashGate = R"SH(CONTENT_HASH=$("$S/calculate_content_hash" "$REPO")
echo "Last successfully deployed commit: $CONTENT_HASH"
if "$S/check_rebuild" "cache-$CONTENT_HASH-$DEPLOY_TAG-deployed" "$REPO"; then
)SH";
const char* kCommitGate =
    R"SH(LAST_SUCCESSFUL_COMMIT=$("$S/last_successful_commit" "$REPO" "$DEPLOY_TAG-deployed")
echo "Last successfully deployed commit: $LAST_SUCCESSFUL_COMMIT"
if ! "$S/check_rebuild" "$LAST_SUCCESSFUL_COMMIT" "$REPO"; then
)SH";

const char* kDeployService = R"SH(set -eu
# Restarts the ECS services of cluster "setup" whose names match $DEPLOY_TAG.*SERVICE (the AWS
# CLI); with DRY_DEPLOY=1 only says so.
SERVICE_NAME=$1
PATTERN="${DEPLOY_TAG}.*${SERVICE_NAME}[^\"]*"
SERVICES=$(aws ecs list-services --region "$ECR_DEPLOY_REGION" --cluster setup | grep -Eo "arn:aws:ecs:[^:]+:[^:]+:service/[^/]+/${PATTERN}" || true)
echo "Services to redeploy:"
echo "$SERVICES"
for SERVICE_ARN in $SERVICES; do
  ACTUAL_SERVICE_NAME=$(echo "$SERVICE_ARN" | awk -F/ '{print $NF}')
  if [ "${DRY_DEPLOY:-0}" -eq 1 ]; then
    echo "DRY_DEPLOY: aws ecs update-service --region $ECR_DEPLOY_REGION --cluster setup --service $ACTUAL_SERVICE_NAME --force-new-deployment"
  else
    aws ecs update-service --region "$ECR_DEPLOY_REGION" --cluster setup --service "$ACTUAL_SERVICE_NAME" --force-new-deployment
  fi
done
)SH";

const char* kDeployDockerhub = R"SH(set -eu
# The project's image copied (gated, all architectures) to $DOCKERHUB_ACCOUNT/PROJECT as the
# release version (or the branch), then latest on tagged commits, then $DEPLOY_TAG.
REPO=$1
S=$(cd "$(dirname "$0")" && pwd)
echo "Repo: $REPO"
if [ -n "${COMMIT_TAG:-}" ]; then
  TAG=$("$S/extract_tag_version" "$REPO" true)
else
  TAG=$(echo "$BRANCH" | sed 's/[^a-zA-Z0-9_.-]/_/g')
fi
"${HOIST:-hoist}" deploy --compat aztec --deploy-registry "${ECR_DEPLOY_URL:-${HOIST_DEPLOY_REGISTRY:-}}" --dry-run "$REPO" >/dev/null
cmd_or_dryrun() {
  if [ "${DRY_DEPLOY:-0}" -eq 1 ]; then echo DRY RUN: "$@"; else "$S/retry" "$@"; fi
}
SRC="$REPO:$("$S/calculate_image_tag" "$REPO")"
@HUB@cmd_or_dryrun "${HOIST:-hoist}" image copy "$SRC" "$HUB/$REPO:$TAG"
if [ -n "${COMMIT_TAG:-}" ]; then
  cmd_or_dryrun "${HOIST:-hoist}" image copy "$SRC" "$HUB/$REPO:latest"
fi
if [ -n "${DEPLOY_TAG:-}" ]; then
  cmd_or_dryrun "${HOIST:-hoist}" image copy "$SRC" "$HUB/$REPO:$DEPLOY_TAG"
fi
)SH";

const char* kExtractTagVersion = R"SH(set -eu
# The version of $COMMIT_TAG (v stripped), for PROJECT; "" (or exit 1 with ERROR_ON_FAIL=true)
# when there is no tag, it was made for another project (PROJECT/vX), or it is no semver.
REPOSITORY="$1"
ERROR_ON_FAIL="${2:-"false"}"
fail() { if [[ "$ERROR_ON_FAIL" == "true" ]]; then exit 1; else exit 0; fi; }
if [[ -z "${COMMIT_TAG:-}" ]]; then
  if [[ "$ERROR_ON_FAIL" == "true" ]]; then echo "No commit tag found. Exiting" >&2; exit 1; fi
  echo ""
  exit 0
fi
COMMIT_TAG_VERSION="$COMMIT_TAG"
if [[ "$COMMIT_TAG" == *"/"* ]]; then
  REPO_NAME="${COMMIT_TAG%%/*}"
  COMMIT_TAG_VERSION="${COMMIT_TAG#*/}"
  echo "Tag was made for: $REPO_NAME" >&2
  echo "Version: $COMMIT_TAG_VERSION" >&2
  if [[ "$REPO_NAME" != "$REPOSITORY" ]]; then
    echo "REPO_NAME ($REPO_NAME) does not match REPOSITORY ($REPOSITORY). Exiting..." >&2
    fail
  fi
fi
SEMVER_REGEX="^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$"
if ! [[ $COMMIT_TAG_VERSION =~ $SEMVER_REGEX ]]; then
  echo "$COMMIT_TAG_VERSION is not a semantic version." >&2
  [[ "$ERROR_ON_FAIL" != "true" ]] || exit 1
  COMMIT_TAG_VERSION=""
fi
echo "${COMMIT_TAG_VERSION#v}"
)SH";

const char* kRunCompose = R"SH(set -eu
# COMPOSE_FILE (in the project's directory) runs the project's image and its runDependencies'
# (each pulled by digest, also tagged aztecprotocol/<project> and $ECR_DEPLOY_URL/<project>)
# until the project's service exits, unless a pass is recorded for these very images; a pass
# tags cache-<hash>-$JOB_NAME. KEY=VALUE arguments are the file's environment.
REPO=$1
@SPOT@COMPOSE_FILE=$2
shift 2
exec "${HOIST:-hoist}" test --compat aztec "$REPO" --job "$JOB_NAME" "${REMOTE[@]}" \
  --compose "$COMPOSE_FILE" -- "$@"
)SH";

const char* kDeployEcr = R"SH(set -euo pipefail
# cache-<hash>[-ARCH] from the cache registry to the deploy registry as $COMMIT_HASH,
# $PROJECT-$COMMIT_TAG (tagged commits) and $DEPLOY_TAG, each [-ARCH]; only what the deploy
# registry lacks moves. Gated first: the image must be one a trusted run built.
REPO=$1
ARCH=${2:-}
TO=${ECR_DEPLOY_URL:-${HOIST_DEPLOY_REGISTRY:-}}
if [ -z "$TO" ]; then
  >&2 echo "deploy_ecr: no deploy registry: run setup_env with hoist's --deploy-registry or HOIST_DEPLOY_REGISTRY set"
  exit 1
fi
if [ -z "$ARCH" ]; then
  # hoist deploy's promotion is deploy_ecr's: gate, copy, tags, recorded.
  exec "${HOIST:-hoist}" deploy --compat aztec --deploy-registry "$TO" "$REPO"
fi
"${HOIST:-hoist}" deploy --compat aztec --deploy-registry "$TO" --dry-run "$REPO" >/dev/null
FROM=$("$(dirname "$0")/calculate_image_tag" "$REPO")-$ARCH
copy() {
  echo "Tagging $REPO:$FROM as $REPO:$1..."
  "${HOIST:-hoist}" image copy "$REPO:$FROM" "$TO/$REPO:$1"
}
copy "$COMMIT_HASH${ARCH:+-$ARCH}"
if [ -n "${COMMIT_TAG:-}" ]; then copy "$PROJECT-$COMMIT_TAG${ARCH:+-$ARCH}"; fi
copy "$DEPLOY_TAG${ARCH:+-$ARCH}"
)SH";

const char* kEnsureRepo = R"SH(set -eu
# On Amazon ECR, as the script did: the repository made when missing, with the lifecycle
# policy that keeps at most 200 cache- images, which refresh_lifecycle applies again. A registry
# of the OCI distribution spec makes a repository at its first push: nothing to do there.
REPOSITORY=$1
REGION=${2:-${ECR_REGION:-}}
REFRESH_LIFECYCLE=${3:-}
case "${ECR_URL:-${HOIST_REGISTRY:-}}" in
  *.dkr.ecr.*.amazonaws.com*) ;;
  *) echo; exit 0 ;;
esac
# The registry's path prefix (HOST/PREFIX) is part of ECR's repository name.
R=${ECR_URL:-${HOIST_REGISTRY:-}}
case "$R" in */*) ECR_REPO=${R#*/}/$REPOSITORY ;; *) ECR_REPO=$REPOSITORY ;; esac
LIFECYCLE_POLICY='{
  "rules": [
    {
      "rulePriority": 1,
      "description": "No more than 200 cache images.",
      "selection": {
        "tagStatus": "tagged",
        "tagPrefixList": ["cache-"],
        "countType": "imageCountMoreThan",
        "countNumber": 200
      },
      "action": {
        "type": "expire"
      }
    }
  ]
}
'
"$(dirname "$0")/ecr_login" "$REGION"
if ! aws ecr describe-repositories --region "$REGION" --repository-names "$ECR_REPO" > /dev/null 2>&1; then
  echo "Creating repo: $REPOSITORY"
  aws ecr create-repository --region "$REGION" --repository-name "$ECR_REPO" > /dev/null
  aws ecr put-lifecycle-policy --region "$REGION" --repository-name "$ECR_REPO" --lifecycle-policy-text "$LIFECYCLE_POLICY" > /dev/null
elif [ -n "$REFRESH_LIFECYCLE" ]; then
  echo "Refreshing lifecycle rules for repo: $REPOSITORY"
  aws ecr put-lifecycle-policy --region "$REGION" --repository-name "$ECR_REPO" --lifecycle-policy-text "$LIFECYCLE_POLICY" > /dev/null
fi
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

const char* kExtractRepo = R"SH(set -eu
# Each FROM (a directory of the project's image; /usr/src when none is given) lands in TO as
# TO/<its name>, as docker cp put it; hoist pulls the image by digest and copies it out without
# running it.
REPOSITORY=$1
shift
TAG=$("$(dirname "$0")/calculate_image_tag" "$REPOSITORY")
echo "Pulling $REPOSITORY:$TAG..."
extract_from_image() {
  echo "Extracting $1 from $REPOSITORY to $2..."
  "${HOIST:-hoist}" image extract "$REPOSITORY" "$TAG" "$1" "$2/$(basename "$1")"
}
@EXTRACT@
)SH";

const char* kDeployTerraform = R"SH(set -eu
# terraform in TF_DIR, as the script ran it (no image is involved): state keyed
# $DEPLOY_TAG/PROJECT (the configuration's own key for PROJECT ""), the comma-separated
# TO_TAINT tainted first, and with DRY_DEPLOY=1 a plan only.
REPOSITORY=$1
TF_DIR=$2
TO_TAINT=${3:-}
if [ ! -d "$TF_DIR" ]; then
  echo "No terraform directory found at $TF_DIR. Skipping."
  exit 0
fi
if [ ! -f "$TF_DIR/main.tf" ]; then
  echo "No main.tf found in $TF_DIR."
  exit 1
fi
if ! command -v terraform > /dev/null; then
  >&2 echo "deploy_terraform: terraform is not on PATH (the Aztec scripts downloaded it): install it, e.g. from HashiCorp's Debian repository"
  exit 1
fi
export TF_IN_AUTOMATION=1
cd "$TF_DIR"
echo "Deploying terraform found at $PWD..."
export TF_VAR_DEPLOY_TAG=${DEPLOY_TAG:-}
export TF_VAR_COMMIT_HASH=${COMMIT_HASH:-}
# These only when set (the script stopped on an unset one): terraform's defaults apply otherwise.
for PAIR in DOCKERHUB_ACCOUNT:DOCKERHUB_ACCOUNT FORK_MNEMONIC:FORK_MNEMONIC \
  INFURA_API_KEY:INFURA_API_KEY FORK_API_KEY:API_KEY CHAIN_ID:CHAIN_ID; do
  FROM=${PAIR%%:*}
  [ -z "${!FROM+set}" ] || export "TF_VAR_${PAIR#*:}=${!FROM}"
done
BACKEND_CONFIG=()
if [ -n "$REPOSITORY" ]; then
  BACKEND_CONFIG=(-backend-config="key=${DEPLOY_TAG:-}/$REPOSITORY")
  echo "Using backend key ${DEPLOY_TAG:-}/$REPOSITORY"
fi
terraform init -input=false "${BACKEND_CONFIG[@]}"
IFS=, read -ra RESOURCES <<< "$TO_TAINT"
for RESOURCE in "${RESOURCES[@]}"; do
  if [ "${DRY_DEPLOY:-0}" -eq 1 ]; then
    echo "DRY_DEPLOY: terraform taint $RESOURCE"
  else
    terraform taint "$RESOURCE" || true
  fi
done
if [ "${DRY_DEPLOY:-0}" -eq 1 ]; then
  terraform plan -input=false
else
  terraform apply -input=false -auto-approve
fi
)SH";

const char* kDeployS3 = R"SH(set -eu
# The project's built /usr/src/<project dir>/dest, out of an image a trusted run built, with a
# DEPLOY_TAG file, to the bucket its terraform outputs as s3 (terraform/ for a global deploy,
# else terraform/$DEPLOY_ENV), then a CloudFront invalidation: one step of a gated hoist deploy
# (channel s3), so a content hash deployed once under $DEPLOY_TAG is not uploaded again.
S=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --hoist-step ]; then  # the step itself, as hoist deploy runs it
  REPOSITORY=$2 IS_GLOBAL=$3 EXTRACT_DIR=$4 TF_DIR=$5
  "$S/extract_repo" "$REPOSITORY" "/usr/src/$("$S/query_manifest" relativeProjectDir "$REPOSITORY")/dest" "$EXTRACT_DIR"
  echo "${DEPLOY_TAG:-}" > "$EXTRACT_DIR/dest/DEPLOY_TAG"
  if [ -n "$IS_GLOBAL" ]; then
    "$S/deploy_terraform" "" "$TF_DIR"
  else
    "$S/deploy_terraform" "$REPOSITORY" "$TF_DIR"
  fi
  cd "$TF_DIR"
  AWS_BUCKET_NAME=$(terraform output -raw s3)
  AWS_CLOUDFRONT_DISTRIBUTION=$(terraform output -raw cloudfront 2> /dev/null || echo "")
  aws s3 rm "s3://$AWS_BUCKET_NAME" --recursive
  aws s3 cp "$EXTRACT_DIR/dest" "s3://$AWS_BUCKET_NAME" --recursive --metadata-directive REPLACE \
    --cache-control "no-cache" --acl public-read
  aws s3 cp "s3://$AWS_BUCKET_NAME" "s3://$AWS_BUCKET_NAME" --exclude '*' --include '*.js' \
    --no-guess-mime-type --content-type="application/javascript; charset=utf-8" \
    --cache-control "no-cache" --metadata-directive="REPLACE" --recursive
  if [ -n "$AWS_CLOUDFRONT_DISTRIBUTION" ]; then
    aws cloudfront create-invalidation --distribution-id "$AWS_CLOUDFRONT_DISTRIBUTION" --paths "/*"
  fi
  exit 0
fi
REPOSITORY=$1
IS_GLOBAL=${2:-}
PROJECT_DIR=$("$S/query_manifest" projectDir "$REPOSITORY")
# The 2024 query_manifest printed it absolute, the 2023 one relative to the top level.
case "$PROJECT_DIR" in
  /*) ;;
  *) PROJECT_DIR=${ROOT_PATH:-$(git rev-parse --show-toplevel)}/$PROJECT_DIR ;;
esac
EXTRACT_DIR=$PWD/../extracted/$REPOSITORY
echo "deploy_s3: Repository: $REPOSITORY"
echo "deploy_s3: Project Dir: $PROJECT_DIR"
echo "deploy_s3: Working directory: $PWD"
echo "deploy_s3: Extract dir: $EXTRACT_DIR"
TF_DIR=$PROJECT_DIR/terraform
[ -n "$IS_GLOBAL" ] || TF_DIR=$TF_DIR/@ENVDIR@
@QUOTED@DRY=()
[ "${DRY_DEPLOY:-0}" != 1 ] || DRY=(--dry-run)
exec "${HOIST:-hoist}" deploy --compat aztec "$REPOSITORY" --channel s3 --step "{type: command, command: [$(quoted "$S/deploy_s3"), --hoist-step, $(quoted "$REPOSITORY"), $(quoted "$IS_GLOBAL"), $(quoted "$EXTRACT_DIR"), $(quoted "$TF_DIR")]}" "${DRY[@]}"
)SH";

const char* kBuildLocal = R"SH(set -eu
# PROJECT and its dependencies (every project without one) built by hoist where they are not
# built yet (an uncommitted edit is refused: the Aztec hash does not cover it), each tagged in
# the local engine as aztecprotocol/<project>:latest and $ECR_DEPLOY_URL/<project>:latest, as
# the script left them. ONLY_TARGET changes nothing: a project is never built on dependencies'
# images that do not match its inputs. NO_CACHE=1 rebuilds PROJECT (hoist build --force).
TARGET_PROJECT=${1:-}
S=$(cd "$(dirname "$0")" && pwd)
FORCE=()
[ -z "${NO_CACHE:-}" ] || [ -z "$TARGET_PROJECT" ] || FORCE=(--force)
if [ -n "$TARGET_PROJECT" ]; then
  "${HOIST:-hoist}" build --compat aztec "${FORCE[@]}" "$TARGET_PROJECT"
  PROJECTS=$(@DEPS@)
else
  "${HOIST:-hoist}" build --compat aztec --all
  PROJECTS=$("${HOIST:-hoist}" projects --topo)
fi
for REPO in $PROJECTS; do
  TAGS=(--tag "aztecprotocol/$REPO:latest")
  [ -z "${ECR_DEPLOY_URL:-}" ] || TAGS+=(--tag "$ECR_DEPLOY_URL/$REPO:latest")
  "${HOIST:-hoist}" image pull "$REPO" "$("$S/calculate_image_tag" "$REPO")" "${TAGS[@]}" > /dev/null
  echo "Tagged: aztecprotocol/$REPO:latest"
done
)SH";

const char* kRebuildFiles = R"SH(set -eu
# The files of COMMIT whose paths match PROJECT's rebuild patterns (its dependencies' too), as
# git ls-tree lines: the files its content hash covers.
REPOSITORY=$1
COMMIT_HASH=${2:-${COMMIT_HASH:-$(git rev-parse HEAD)}}
AWK_PATTERN=$("$(dirname "$0")/query_manifest" rebuildPatterns "$REPOSITORY" | tr '\n' '|' | sed 's/\\/\\\\/g')
AWK_PATTERN=${AWK_PATTERN%|}
cd "$(git rev-parse --show-toplevel)"
git ls-tree -r "$COMMIT_HASH" | awk -v pattern="($AWK_PATTERN)" '$4 ~ pattern {print $0}'
)SH";

const char* kRunContainer = R"SH(set -eu
# ARGS run in a container of the project's image unless cache-<hash>-$JOB_NAME says they
# passed, and that tag is written on a pass (hoist's test job in the image).
REPOSITORY=$1
@SPOT@shift
# Unquoted, as the script's `docker run … $@`: "yarn test" is two words.
# shellcheck disable=SC2068
exec "${HOIST:-hoist}" test --compat aztec "$REPOSITORY" --job "$JOB_NAME" "${REMOTE[@]}" -- $@
)SH";

const char* kSpotRunScript = R"SH(set -eu
# With TAG_POSTFIX (a job's name): COMMAND runs unless cache-<hash>-$TAG_POSTFIX says it
# passed, as a hoist test job from the repository's top level, its docker commands on a spot
# machine of CPUS cores. Without: the command is what makes the image (cond_spot_run_build's
# "build PROJECT", which takes its own machine), run only when check_rebuild finds no
# cache-<hash>[-ARCH].
REPOSITORY=$1
CPUS=$2
@ARCHARG@S=$(cd "$(dirname "$0")" && pwd)
if [ -n "${TAG_POSTFIX:-}" ]; then
  echo "Success tag: $("$S/calculate_image_tag" "$REPOSITORY")-$TAG_POSTFIX"
  exec "${HOIST:-hoist}" test --compat aztec "$REPOSITORY" --job "$TAG_POSTFIX" --host \
    --remote "spot:$CPUS" -- \
    sh -c 'cd "$(git rev-parse --show-toplevel)" && exec "$@"' cond_spot_run_script "$@"
fi
if [ "$("$S/query_manifest" multiarch "$REPOSITORY")" = host ]; then
  BASE_TAG=$("$S/calculate_image_tag" "$REPOSITORY" "$ARCH")
else
  BASE_TAG=$("$S/calculate_image_tag" "$REPOSITORY")
fi
echo "Success tag: $BASE_TAG"
if ! "$S/check_rebuild" "$BASE_TAG" "$REPOSITORY"; then
  "$S/init_submodules" "$REPOSITORY"
  (cd "$(git rev-parse --show-toplevel)" && "$@")
fi
)SH";

const char* kDeployTerraformServices = R"SH(set -eu
# Unless cache-<hash>-$DEPLOY_TAG-deployed says it was done (or resources are to be tainted):
# terraform in PROJECT_DIR/terraform and each service restarted, as one gated hoist deploy of
# REPOSITORY, then that tag.
PROJECT_DIR=$1
PROJECT_NAME=$(basename "$PROJECT_DIR")
REPO=${2:-$PROJECT_NAME}
SERVICE_NAMES=${3:-$PROJECT_NAME}
TO_TAINT=${4:-}
S=$(cd "$(dirname "$0")" && pwd)
cd "$PROJECT_DIR"
CONTENT_HASH=$("$S/calculate_content_hash" "$REPO")
echo "Last successfully deployed commit: $CONTENT_HASH"
if [ -z "$TO_TAINT" ] && "$S/check_rebuild" "cache-$CONTENT_HASH-$DEPLOY_TAG-deployed" "$REPO"; then
  echo "No changes detected, skipping deployment."
  exit 0
fi
@QUOTED@# TO_TAINT is part of the step: other taints are another deploy, which runs again.
STEPS=(--step "{type: command, command: [$(quoted "$S/deploy_terraform"), $(quoted "$PROJECT_NAME"), $(quoted "$PWD/terraform"), $(quoted "$TO_TAINT")]}")
for SERVICE in $SERVICE_NAMES; do
  STEPS+=(--step "{type: command, command: [$(quoted "$S/deploy_service"), $(quoted "$SERVICE")]}")
done
DRY=()
[ "${DRY_DEPLOY:-0}" != 1 ] || DRY=(--dry-run)
# A channel is a short lower-case word ([a-z0-9][a-z0-9_-]{0,31}): the directory's name made one.
CHANNEL=terraform-$(printf '%s' "$PROJECT_NAME" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_-' '-' | cut -c1-22)
"${HOIST:-hoist}" deploy --compat aztec "$REPO" --channel "$CHANNEL" "${STEPS[@]}" "${DRY[@]}"
if [ "${DRY_DEPLOY:-0}" -eq 1 ]; then
  echo "DRY_DEPLOY: tag_remote_image $REPO cache-$CONTENT_HASH cache-$CONTENT_HASH-$DEPLOY_TAG-deployed"
else
  "$S/retry" "$S/tag_remote_image" "$REPO" "cache-$CONTENT_HASH" "cache-$CONTENT_HASH-$DEPLOY_TAG-deployed"
fi
)SH";

// The 2023-02 scripts keyed every tag by commit (cache-$COMMIT_HASH[-SUCCESS_TAG]); hoist keys
// by content hash and, with --compat aztec-2023-02, keeps the commit's tags beside its own and
// reuses an earlier commit's where the content hash was the same (compat/commit_tags.h).
const char* kFebBuild = R"SH(set -eu
# cache-<content hash> and cache-$COMMIT_HASH, built only when neither this hash's image nor an
# earlier commit's (the last 50) with the same content hash is there; on Amazon ECR, the
# project's repository made first (ensure_repo), as the script did.
"$(dirname "$0")/ensure_repo" "$1" "${ECR_REGION:-}" refresh_lifecycle > /dev/null
exec "${HOIST:-hoist}" build --compat aztec-2023-02 "$1"
)SH";

const char* kFebSpotBuild = R"SH(set -eu
# As build, on a spot machine of SPEC (its CPU count) cores when the image must be built.
[ $# -ge 2 ] || { >&2 echo "usage: cond_spot_run_build PROJECT SPEC (its CPUs: 32, 64)"; exit 1; }
"$(dirname "$0")/ensure_repo" "$1" "${ECR_REGION:-}" refresh_lifecycle > /dev/null
exec "${HOIST:-hoist}" build --compat aztec-2023-02 --remote "spot:${2%%core*}" "$1"
)SH";

const char* kFebRunScript = R"SH(set -eu
# SCRIPT runs in the project's directory unless cache-<hash>-SUCCESS_TAG says it passed on this
# image (or an earlier commit's cache-<commit>-SUCCESS_TAG with the same content hash does); a
# pass is tagged cache-<hash>-SUCCESS_TAG and cache-$COMMIT_HASH-SUCCESS_TAG. On a spot machine
# of SPEC (its CPU count) cores: the script runs here, its docker commands on that machine.
# From the directory it was called in (the project's, as the scripts expected), named from the
# top level so the job is the same in every checkout; its words split, as the scripts' $@ was.
[ $# -ge 4 ] || { >&2 echo "usage: cond_spot_run_script PROJECT SUCCESS_TAG SPEC SCRIPT [ARGS…]"; exit 1; }
REPOSITORY=$1
SUCCESS_TAG=$2
SPEC=$3
shift 3
exec "${HOIST:-hoist}" test --compat aztec-2023-02 "$REPOSITORY" --job "$SUCCESS_TAG" --host \
  --remote "spot:${SPEC%%core*}" -- \
  sh -c 'cd "$(git rev-parse --show-toplevel)/$0" && exec "$@"' "$(git rev-parse --show-prefix)" $@
)SH";

const char* kFebSpotRunTests = R"SH(set -euo pipefail
# The project's ./scripts/run_tests ARGS…, as cond_spot_run_script PROJECT $JOB_NAME 32.
REPOSITORY=$1
shift
mkdir -p /tmp/test-logs
# (hoist reports the job's output on stderr; the log holds it, as the spot machine's was.)
cd "$("$(dirname "$0")/query_manifest" projectDir "$REPOSITORY")"
"$(dirname "$0")/cond_spot_run_script" "$REPOSITORY" "$JOB_NAME" 32 ./scripts/run_tests $@ \
  2>&1 | tee "/tmp/test-logs/$JOB_NAME.log"
)SH";

const char* kFebLastSuccessful = R"SH(set -eu
# The newest of the last 50 commits whose cache-<commit>[-POSTFIX] is in the registry; nothing
# when none is. A registry that cannot list the tags is an error, not "none".
REPOSITORY=$1
TAGS=$("${HOIST:-hoist}" image tags "$REPOSITORY")
for C in $(git log -n 50 --pretty=format:"%H"); do
  >&2 echo "Checking if image exists for commit $C..."
  if grep -qxF "cache-$C${2:+-$2}" <<< "$TAGS"; then
    >&2 echo "Found."
    echo "$C"
    exit 0
  fi
done
)SH";

const char* kFebCheckRebuild = R"SH(set -eu
# Exit 0 (rebuild) when BASE_COMMIT is empty, the project is tainted, or a file whose name its
# rebuild patterns (the dependencies' too, grep's basic expressions, as the script read them)
# match changed between BASE_COMMIT and COMMIT_HASH (renames and modes too). What cannot be told
# (the registry, a commit this clone lacks) rebuilds, saying so.
BASE_COMMIT=${1:-}
REPOSITORY=$2
[ -n "$BASE_COMMIT" ] || exit 0
S=$(cd "$(dirname "$0")" && pwd)
CODE=0
"${HOIST:-hoist}" image exists "$REPOSITORY" tainted > /dev/null || CODE=$?
case $CODE in
  0) echo "$REPOSITORY has been tainted. Will rebuild."; exit 0 ;;
  1) ;;
  *) echo "Could not tell whether $REPOSITORY is tainted. Will rebuild."; exit 0 ;;
esac
PATTERNS=$(mktemp)
trap 'rm -f "$PATTERNS"' EXIT
"$S/query_manifest" rebuildPatterns "$REPOSITORY" > "$PATTERNS"
echo "Rebuild patterns:"
cat "$PATTERNS"
cd "$(git rev-parse --show-toplevel)"
NOW=${COMMIT_HASH:-HEAD}
if ! CHANGED=$(git -c diff.renameLimit=999999 --no-pager diff --name-only "$BASE_COMMIT" "$NOW" 2>&1); then
  echo "Could not diff $BASE_COMMIT: $CHANGED. Will rebuild."
  exit 0
fi
# The files changed inside each submodule that moved (list_file_diff); one that cannot be
# diffed here (not checked out, or not a submodule at BASE_COMMIT) rebuilds.
for SM in $(git config --file .gitmodules --get-regexp path 2> /dev/null | awk '{print $2}'); do
  OLD=$(git ls-tree "$BASE_COMMIT" "$SM" | awk '{print $3}')
  NEW=$(git ls-tree "$NOW" "$SM" | awk '{print $3}')
  [ "$OLD" != "$NEW" ] || continue
  if ! IN=$(git -C "$SM" --no-pager diff --name-only "$OLD" "$NEW" 2> /dev/null); then
    echo "Submodule $SM changed and cannot be diffed here. Will rebuild."
    exit 0
  fi
  CHANGED="$CHANGED"$'\n'$(sed "s|^|$SM/|" <<< "$IN")
done
CODE=0
grep -q -f "$PATTERNS" <<< "$CHANGED" || CODE=$?
[ "$CODE" -le 1 ] || echo "grep could not read the rebuild patterns. Will rebuild."
[ "$CODE" -ne 1 ]
)SH";

const char* kFebDeployDockerhub = R"SH(set -eu
# Tagged commits only: the project's image (gated: one a trusted run built) copied to
# $DOCKERHUB_ACCOUNT/PROJECT:$COMMIT_TAG.
if [ -z "${COMMIT_TAG:-}" ]; then
  echo "Will only push tagged builds to dockerhub. Skipping."
  exit 0
fi
REPO=$1
S=$(cd "$(dirname "$0")" && pwd)
"${HOIST:-hoist}" deploy --compat aztec --deploy-registry "${ECR_DEPLOY_URL:-${HOIST_DEPLOY_REGISTRY:-}}" --dry-run "$REPO" >/dev/null
@HUB@echo "Deploying to dockerhub: $HUB/$REPO:$COMMIT_TAG"
"$S/retry" "${HOIST:-hoist}" image copy "$REPO:$("$S/calculate_image_tag" "$REPO")" "$HUB/$REPO:$COMMIT_TAG"
)SH";

}  // namespace

std::vector<AztecShim> AztecShims(AztecEra era) {
  const std::string era_name = AztecEraName(era);
  const bool feb = era == AztecEra::kJson2023Feb;
  const bool yaml = era == AztecEra::kYaml2024;
  std::vector<AztecShim> shims;
  auto add = [&](const std::string& name, const std::string& usage, std::string body,
                 bool provided = true) {
    body = Replace(body, "@SETU@", feb ? "" : "set -u  # as its set -eu left it\n");
    body = Replace(body, "@QUOTED@", kQuoted);
    body = Replace(body, "@HUB@", kHub);
    // The 2023-02 query_manifest had no relativeProjectDir: its projectDir was relative. Its
    // hoist calls key by whole rows and keep the commit's tags (--compat aztec-2023-02).
    if (feb) {
      body = Replace(body, "relativeProjectDir", "projectDir");
      body = Replace(body, "--compat aztec ", "--compat aztec-2023-02 ");
    }
    body = Replace(Replace(body, "@ERA@", era_name), "@BSPATH@",
                   feb ? "$PWD" : "$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/..\" && pwd)");
    shims.push_back({name, Header(name, era, usage) + body, provided});
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
  add("deploy_ecr", std::string("deploy_ecr PROJECT") + (feb ? "" : " [ARCH]"), kDeployEcr);
  if (feb) {
    // Images, test passes and deploys under commit tags (cache-$COMMIT_HASH[-SUCCESS_TAG]).
    add("build", "build PROJECT", kFebBuild);
    add("cond_spot_run_build", "cond_spot_run_build PROJECT SPEC", kFebSpotBuild);
    add("cond_spot_run_script", "cond_spot_run_script PROJECT SUCCESS_TAG SPEC SCRIPT [ARGS…]",
        kFebRunScript);
    add("cond_spot_run_tests", "cond_spot_run_tests PROJECT [ARGS…]", kFebSpotRunTests);
    add("last_successful_commit", "last_successful_commit PROJECT [POSTFIX]", kFebLastSuccessful);
    add("check_rebuild", "check_rebuild BASE_COMMIT PROJECT", kFebCheckRebuild);
  } else {
    add("build", "build PROJECT", kBuild);
    add("cond_spot_run_build", "cond_spot_run_build PROJECT CPUS [ARCH]", kSpotBuild);
    add("cond_run_script", "cond_run_script PROJECT COMMAND [ARGS…]", kRunScript);
    add("cond_spot_run_test", "cond_spot_run_test PROJECT CPUS SCRIPT [ARGS…]", kSpotRunTest);
    add("cond_spot_run_tests", "cond_spot_run_tests PROJECT CPUS SCRIPT [ARGS…]", kSpotRunTest);
    add("check_rebuild", "check_rebuild TAG PROJECT", kCheckRebuild);
    add("create_ecr_manifest", "create_ecr_manifest PROJECT ARCH,ARCH", kCreateEcrManifest);
    // The 2023-09 script took no ARCH: PROJECT CPUS COMMAND….
    add("cond_spot_run_script",
        std::string("cond_spot_run_script PROJECT CPUS ") + (yaml ? "ARCH " : "") + "COMMAND…",
        Replace(kSpotRunScript, "@ARCHARG@",
                yaml ? "ARCH=$3\nshift 3\n" : "ARCH=  # the 2023-09 script took none\nshift 2\n"));
    add("calculate_rebuild_files", "calculate_rebuild_files PROJECT [COMMIT]", kRebuildFiles);
  }
  // The 2023 query_manifest had no allDependencies: the project itself is tagged.
  add("build_local", "build_local [PROJECT]",
      Replace(kBuildLocal, "@DEPS@",
              yaml ? "\"$S/query_manifest\" allDependencies \"$TARGET_PROJECT\""
                   : "echo \"$TARGET_PROJECT\""));
  if (!feb) {  // scripts the 2023-09 build system added
    // The spot forms run the job on a spot machine of CPUS cores (hoist.yml spot:).
    const std::string local = "REMOTE=()\n";
    const std::string spot = "REMOTE=(--remote \"spot:$2\")\nshift  # CPUS\n";
    add("cond_run_container", "cond_run_container PROJECT ARGS…",
        Replace(kRunContainer, "@SPOT@", local));
    add("cond_spot_run_container", "cond_spot_run_container PROJECT CPUS ARGS…",
        Replace(kRunContainer, "@SPOT@", spot));
    add("deploy_terraform_services",
        "deploy_terraform_services PROJECT_DIR [PROJECT] [SERVICES] [TO_TAINT]",
        kDeployTerraformServices);
    add("cond_run_compose", "cond_run_compose PROJECT COMPOSE_FILE [K=V…]",
        Replace(kRunCompose, "@SPOT@", local));
    add("cond_spot_run_compose", "cond_spot_run_compose PROJECT CPUS COMPOSE_FILE [K=V…]",
        Replace(kRunCompose, "@SPOT@", spot));
    add("extract_tag_version", "extract_tag_version PROJECT [ERROR_ON_FAIL]", kExtractTagVersion);
  }
  // deploy keys terraform's state $DEPLOY_TAG/PROJECT; deploy_global keeps the configuration's
  // own key (its deploy_terraform "" ./terraform). The 2023 deploy read terraform/$VERSION_TAG.
  auto deploy = [&](const std::string& services, const std::string& service, const std::string& key,
                    const std::string& channel, const std::string& dir) {
    std::string body = Replace(kDeploy, "@SERVICES@", services);
    body = Replace(body, "@GATE@", feb ? kCommitGate : kHashGate);
    body = Replace(body, "@KEY@", feb ? "COMMIT_HASH" : "CONTENT_HASH");
    body = Replace(Replace(body, "@SERVICE@", service), "@TFKEY@", key);
    return Replace(Replace(body, "@CHANNEL@", channel), "@TFDIR@", dir);
  };
  add("deploy", "deploy PROJECT [SERVICES] [TO_TAINT]",
      deploy("SERVICES=${2:-$REPO}\n", "$DEPLOY_TAG-$SERVICE", "$REPO", "deploy",
             yaml ? "terraform" : "\"terraform/${VERSION_TAG:-}\""));
  add("deploy_global", "deploy_global PROJECT",
      deploy("SERVICES=$REPO  # deploy_service PROJECT\n", "$SERVICE", "", "global", "terraform"));
  add("deploy_service", "deploy_service SERVICE", kDeployService);
  add("deploy_dockerhub", "deploy_dockerhub PROJECT", feb ? kFebDeployDockerhub : kDeployDockerhub);
  // The 2023-09 script took no DIST_TAG: PROJECT [STANDALONE]; the 2023-02 one took PROJECT
  // alone, its dist-tag the commit tag's pre-release word (v2.1.0-testnet.123: testnet).
  add("deploy_npm",
      std::string("deploy_npm PROJECT ") + (yaml  ? "[DIST_TAG] [STANDALONE]"
                                            : feb ? ""
                                                  : "[STANDALONE]"),
      Replace(kDeployNpm, "@NPMARGS@",
              yaml  ? "DIST_TAG=${2:-\"latest\"}\nSTANDALONE=${3:-}\n"
              : feb ? "DIST_TAG=$(echo \"${COMMIT_TAG#v}\" | grep -oP \".*-\\K(.*)(?=\\.\\d+)\" || "
                      "true)\nDIST_TAG=${DIST_TAG:-latest}\nSTANDALONE=\n"
                    : "DIST_TAG=latest\nSTANDALONE=${2:-}\n"));
  add("deploy_terraform", "deploy_terraform PROJECT TF_DIR [TO_TAINT]", kDeployTerraform);
  // The 2023-09 scripts: terraform/$VERSION_TAG where 2024's read terraform/$DEPLOY_ENV (or
  // terraform/ for deploy), and extract_repo of one FROM [TO] (TO ./ by default).
  add("deploy_s3", "deploy_s3 PROJECT [IS_GLOBAL]",
      Replace(kDeployS3, "@ENVDIR@", yaml ? "${DEPLOY_ENV:-}" : "${VERSION_TAG:-}"));
  add("extract_repo", yaml ? "extract_repo PROJECT [FROM TO]…" : "extract_repo PROJECT [FROM [TO]]",
      Replace(kExtractRepo, "@EXTRACT@",
              yaml ? "if [ $# -eq 0 ]; then\n"
                     "  extract_from_image /usr/src ./\n"
                     "fi\n"
                     "while [ $# -gt 0 ]; do\n"
                     "  [ $# -ge 2 ] || { >&2 echo \"extract_repo: $1 has no destination: give "
                     "FROM TO pairs\"; exit 1; }\n"
                     "  extract_from_image \"$1\" \"$2\"\n"
                     "  shift 2\n"
                     "done\n"
                   : "extract_from_image \"${1:-/usr/src}\" \"${2:-./}\"\n"));
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
