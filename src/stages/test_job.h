#pragma once

#include <optional>
#include <string>

#include "docker/image_builder.h"
#include "manifest/manifest.h"
#include "store/image_store.h"

namespace hoist {

/// The digest of a job's definition: a pass counts only for the same command.
std::string TestJobDigest(const TestJob& job);
/// The marker tag of a passed job (tag::TestPass).
std::string TestMarkerTag(const std::string& hash, const std::string& job);

/// The pass marker of `job` for content `hash`, when one exists for this very definition.
Expected<std::optional<Marker>> FindTestPass(ImageStore& store, const std::string& project,
                                             const std::string& hash, const TestJob& job);

/// Runs a job: in the project's image cache-<hash> (pulled from a registry first), or with
/// job.host on this machine in `directory`. Output goes to `on_line`.
Status RunTestJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                  const std::string& hash, const TestJob& job, const std::string& directory,
                  const LineSink& on_line);

/// Writes the pass marker (only ever after a successful run).
Status RecordTestPass(ImageStore& store, const std::string& project, const std::string& hash,
                      const std::string& commit, const TestJob& job);

}  // namespace hoist
