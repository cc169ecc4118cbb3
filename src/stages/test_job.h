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

/// The image a job of `project` runs in: what cache-<hash> names now (store.Identity), "" for a
/// host job (it runs on this machine, in no image); an Error when there is no such image.
Expected<std::string> TestedImage(ImageStore& store, const std::string& project,
                                  const std::string& hash, const TestJob& job);

/// The pass marker of `job` for content `hash`, when one exists for this very definition and
/// this very image (`image`, TestedImage's): a pass on other bytes under the same hash (a
/// forced rebuild's) does not count.
Expected<std::optional<Marker>> FindTestPass(ImageStore& store, const std::string& project,
                                             const std::string& hash, const TestJob& job,
                                             const std::string& image);

/// Runs a job: in exactly the image `image` (pulled by digest from a registry first), or with
/// job.host on this machine in `directory`. Output goes to `on_line`.
Status RunTestJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                  const std::string& hash, const std::string& image, const TestJob& job,
                  const std::string& directory, const LineSink& on_line);

/// Writes the pass marker, naming the image it ran on (only ever after a successful run).
Status RecordTestPass(ImageStore& store, const std::string& project, const std::string& hash,
                      const std::string& image, const std::string& commit, const TestJob& job);

}  // namespace hoist
