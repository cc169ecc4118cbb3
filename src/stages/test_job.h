#pragma once

#include <optional>
#include <string>

#include "docker/image_builder.h"
#include "manifest/manifest.h"
#include "source/content_hash.h"
#include "store/image_store.h"

namespace hoist {

/// The digest of a job's definition: a pass counts only for the same command; for a compose
/// job, the same file, service, environment and `inputs` (ComposeInputs').
std::string TestJobDigest(const TestJob& job, const std::string& inputs = "");

/// One image a compose job runs: a project of the manifest, as cache-<hash> names it now.
struct RunImage {
  std::string project;
  std::string hash;
  std::string identity;   ///< the image (digest, or id in an engine)
  std::string reference;  ///< how an engine pulls and runs exactly it
};

/// The images a compose job of project `p` runs: its own and its runDependencies', each
/// exactly as cache-<hash> names it now; an Error naming what to build when one has none.
Expected<std::vector<RunImage>> ComposeImages(ImageStore& store, const Manifest& manifest,
                                              const std::vector<ProjectHash>& hashes, int p);

/// What a compose job's pass covers besides its definition: the compose file's bytes and every
/// image it runs (a pass on other images does not count); "" for a command job. `root`: the
/// repository.
/// The images are ComposeImages', also given to `images` when wanted.
Expected<std::string> ComposeInputs(ImageStore& store, const Manifest& manifest,
                                    const std::vector<ProjectHash>& hashes, int p,
                                    const TestJob& job, const std::string& root,
                                    std::vector<RunImage>* images = nullptr);
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
                                             const std::string& image,
                                             const std::string& inputs = "");

/// Runs a job: in exactly the image `image` (pulled by digest from a registry first), or with
/// job.host on this machine in `directory`, its docker commands sent to `builder`'s engine
/// (DOCKER_HOST, when it names one). Output goes to `on_line`.
Status RunTestJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                  const std::string& hash, const std::string& image, const TestJob& job,
                  const std::string& directory, const LineSink& on_line);

/// Runs a compose job in `directory` (its project's): each of `images` pulled by digest onto the
/// engine of `builder`, then named to the file by HOIST_IMAGE_<PROJECT> (upper case, `_` for
/// other characters) and by each of `local_names` + "/" + project (a local tag, as the Aztec
/// build system's scripts named them), and `compose_project` as compose's project name.
Status RunComposeJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                     const TestJob& job, const std::vector<RunImage>& images,
                     const std::vector<std::string>& local_names, const std::string& directory,
                     const std::string& compose_project, const LineSink& on_line);

/// The variable a compose file reads a project's image from: HOIST_IMAGE_END_TO_END.
std::string ComposeImageVariable(const std::string& project);

/// Writes the pass marker, naming the image it ran on (only ever after a successful run).
Status RecordTestPass(ImageStore& store, const std::string& project, const std::string& hash,
                      const std::string& image, const std::string& commit, const TestJob& job,
                      const std::string& inputs = "");

}  // namespace hoist
