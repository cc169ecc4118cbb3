#pragma once

#include <string>

namespace hoist::testing {

/// Makes sure a Docker engine answers: starts Debian's dockerd without a bridge when none
/// runs (once, shared by every test process; scripts/run-tests.sh stops it afterwards).
/// Returns "" when one answers, else why not.
std::string EnsureDockerEngine();

/// Imports an image of one tiny layer labelled `content` as `reference` into the engine.
void ImportTestImage(const std::string& reference, const std::string& content);

}  // namespace hoist::testing
