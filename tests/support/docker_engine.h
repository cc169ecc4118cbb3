#pragma once

#include <string>

namespace hoist::testing {

/// Makes sure a Docker engine answers: starts Debian's dockerd without a bridge when none
/// runs (once, shared by every test process; scripts/run-tests.sh stops it afterwards).
/// Returns "" when one answers, else why not.
std::string EnsureDockerEngine();

/// Pushes the example's base image (scripts/make-busybox-image.sh) to the registry at `host`
/// and returns its name there: the base for builds on another machine's engine (an image made
/// on an engine is pinned by its image id, which only that engine knows).
std::string PushExampleBase(const std::string& host);

/// Imports an image of one tiny layer labelled `content` as `reference` into the engine.
void ImportTestImage(const std::string& reference, const std::string& content);

}  // namespace hoist::testing
