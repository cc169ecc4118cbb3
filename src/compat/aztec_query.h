#pragma once

#include <string>
#include <vector>

#include "compat/aztec_era.h"
#include "compat/raw_manifest.h"
#include "source/git_repository.h"

namespace hoist {

/// What one call of the era's query_manifest printed, and its exit status.
struct AztecQueryAnswer {
  std::string out;
  std::string err;
  int exit_code = 0;
};

/// Answers `query_manifest ARGS…` (FIELD PROJECT [RUN]) exactly as the era's script did:
/// the same lines, the same paths (raw, or under `root_path` as $ROOT_PATH made them), the
/// same order, the same messages on the same stream and the same exit status. It reads
/// `manifest` as jq or yq did, runs dependency scripts as they did, and asks `repo` for
/// submodules. Where the script never ended (the 2023-02 dependency walk on a cycle), the
/// answer is an error naming the cycle instead.
AztecQueryAnswer AztecQuery(AztecEra era, const RawManifest& manifest, const std::string& root_path,
                            const GitRepository& repo, const std::vector<std::string>& args);

/// The fields the era's query_manifest answers (others print nothing and exit 0).
std::vector<std::string> AztecQueryFields(AztecEra era);

}  // namespace hoist
