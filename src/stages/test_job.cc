#include "stages/test_job.h"

#include <nlohmann/json.hpp>

#include "stages/host_command.h"
#include "store/tag_names.h"
#include "util/digest.h"

namespace hoist {

std::string TestJobDigest(const TestJob& job) {
  nlohmann::json definition = {{"command", job.command}, {"host", job.host}};
  return Sha256Digest(definition.dump());
}

std::string TestMarkerTag(const std::string& hash, const std::string& job) {
  return tag::TestPass(hash, job);
}

Expected<std::string> TestedImage(ImageStore& store, const std::string& project,
                                  const std::string& hash, const TestJob& job) {
  if (job.host) return std::string();
  auto identity = store.Identity(project, tag::Image(hash));
  if (!identity) return identity.error();
  if (!*identity) {
    return Error{"project '" + project + "' has no image cache-" + hash.substr(0, 12) +
                 " to test in; build it first: hoist build " + project};
  }
  return **identity;
}

Expected<std::optional<Marker>> FindTestPass(ImageStore& store, const std::string& project,
                                             const std::string& hash, const TestJob& job,
                                             const std::string& image) {
  auto marker = store.GetMarker(project, TestMarkerTag(hash, job.name));
  if (!marker) return marker.error();
  if (!*marker || (*marker)->definition != TestJobDigest(job) || (*marker)->digest != image) {
    return std::optional<Marker>();
  }
  return marker;
}

Status RunTestJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                  const std::string& hash, const std::string& image_id, const TestJob& job,
                  const std::string& directory, const LineSink& on_line) {
  if (job.host) {
    auto ran = RunHostCommand(job.command, directory, {}, on_line);
    if (!ran) {
      return Error{"test job '" + job.name + "' of '" + project +
                   "' failed: " + ran.error().message};
    }
    return Ok();
  }
  // Exactly the image the pass will name: by digest from a registry, by id in an engine.
  std::string image =
      store.InEngine() ? image_id : store.ReadReference(project, tag::Image(hash)) + "@" + image_id;
  if (!store.InEngine()) {
    auto pulled = builder.Pull(image, on_line);
    if (!pulled) return pulled;
  }
  auto ran = builder.RunContainer(image, job.command, "none", on_line);
  if (!ran) {
    return Error{"test job '" + job.name + "' of '" + project + "' failed: " + ran.error().message};
  }
  return Ok();
}

Status RecordTestPass(ImageStore& store, const std::string& project, const std::string& hash,
                      const std::string& image, const std::string& commit, const TestJob& job) {
  Marker marker;
  marker.kind = "test";
  marker.project = project;
  marker.hash = hash;
  marker.commit = commit;
  marker.job = job.name;
  marker.definition = TestJobDigest(job);
  marker.digest = image;
  return store.PutMarker(project, TestMarkerTag(hash, job.name), marker);
}

}  // namespace hoist
