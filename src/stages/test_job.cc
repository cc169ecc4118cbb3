#include "stages/test_job.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "stages/host_command.h"
#include "store/tag_names.h"
#include "util/digest.h"
#include "util/files.h"

namespace hoist {

std::string TestJobDigest(const TestJob& job, const std::string& inputs) {
  nlohmann::json definition = {{"command", job.command}, {"host", job.host}};
  if (!job.compose.empty()) {  // (command jobs keep the digest their markers were written with)
    definition["compose"] = job.compose;
    definition["service"] = job.service;
    definition["environment"] = job.environment;
    definition["inputs"] = inputs;
  }
  return Sha256Digest(definition.dump());
}

std::string ComposeImageVariable(const std::string& project) {
  std::string name = "HOIST_IMAGE_";
  for (char c : project) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
  }
  return name;
}

Expected<std::vector<RunImage>> ComposeImages(ImageStore& store, const Manifest& manifest,
                                              const std::vector<ProjectHash>& hashes, int p) {
  std::vector<std::string> names = {manifest.projects[p].name};
  for (const auto& dep : manifest.projects[p].run_dependencies) {
    if (std::find(names.begin(), names.end(), dep) == names.end()) names.push_back(dep);
  }
  std::vector<RunImage> images;
  for (const auto& name : names) {
    const int index = manifest.IndexOf(name);
    if (index < 0)
      return Error{"runDependencies of '" + manifest.projects[p].name + "' names '" + name +
                   "', which is not a project of the manifest"};
    const ProjectHash& hash = hashes[index];
    if (!hash.error.empty()) return Error{name + ": " + hash.error};
    auto identity = store.Identity(name, tag::Image(hash.hash));
    if (!identity) return identity.error();
    if (!*identity) {
      return Error{"the compose job of '" + manifest.projects[p].name + "' runs '" + name +
                   "', which has no image cache-" + hash.hash.substr(0, 12) +
                   "; build it first: hoist build " + name};
    }
    std::string reference =
        store.InEngine() ? **identity
                         : store.ReadReference(name, tag::Image(hash.hash)) + "@" + **identity;
    images.push_back({name, hash.hash, **identity, reference});
  }
  return images;
}

Expected<std::string> ComposeInputs(ImageStore& store, const Manifest& manifest,
                                    const std::vector<ProjectHash>& hashes, int p,
                                    const TestJob& job, const std::string& root,
                                    std::vector<RunImage>* images_out) {
  if (job.compose.empty()) return std::string();
  const std::string path = root + "/" + manifest.projects[p].project_dir + "/" + job.compose;
  auto bytes = ReadFile(path);
  if (!bytes) {
    return Error{"test job '" + job.name + "' of '" + manifest.projects[p].name +
                 "': cannot read its compose file " + path + ": " + bytes.error().message};
  }
  auto images = ComposeImages(store, manifest, hashes, p);
  if (!images) return images.error();
  std::string inputs = Sha256Digest(*bytes) + "\n";
  for (const auto& image : *images) inputs += image.project + " " + image.identity + "\n";
  if (images_out) *images_out = std::move(*images);
  return Sha256Digest(inputs);
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
                                             const std::string& image, const std::string& inputs) {
  auto marker = store.GetMarker(project, TestMarkerTag(hash, job.name));
  if (!marker) return marker.error();
  if (!*marker || (*marker)->definition != TestJobDigest(job, inputs) ||
      (*marker)->digest != image) {
    return std::optional<Marker>();
  }
  return marker;
}

Status RunTestJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                  const std::string& hash, const std::string& image_id, const TestJob& job,
                  const std::string& directory, const LineSink& on_line) {
  if (job.host) {
    // On this machine; its docker commands go to the job's machine (a remote or spot machine's
    // engine through its SSH tunnel), where the Aztec scripts ran the whole script.
    std::vector<std::string> env;
    if (!builder.DockerHost().empty()) {
      // That engine alone: a TLS setting or context of the caller's own engine does not apply.
      env = {"DOCKER_HOST=" + builder.DockerHost(), "DOCKER_TLS_VERIFY=", "DOCKER_CONTEXT="};
    }
    auto ran = RunHostCommand(job.command, directory, env, on_line);
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

Status RunComposeJob(ImageStore& store, ImageBuilder& builder, const std::string& project,
                     const TestJob& job, const std::vector<RunImage>& images,
                     const std::vector<std::string>& local_names, const std::string& directory,
                     const std::string& compose_project, const LineSink& on_line) {
  ComposeRun run;
  run.file = directory + "/" + job.compose;
  run.directory = directory;
  run.project = compose_project;
  run.service = job.service.empty() ? project : job.service;
  for (const auto& image : images) {
    if (!store.InEngine()) {
      auto pulled = builder.Pull(image.reference, on_line);
      if (!pulled) return pulled;
    }
    for (const auto& prefix : local_names) {
      auto tagged = builder.Tag(image.reference, prefix + "/" + image.project);
      if (!tagged) return tagged;
    }
    run.environment.push_back(ComposeImageVariable(image.project) + "=" + image.reference);
  }
  run.environment.insert(run.environment.end(), job.environment.begin(), job.environment.end());
  auto ran = builder.RunCompose(run, on_line);
  if (!ran) {
    return Error{"test job '" + job.name + "' of '" + project + "' failed: " + ran.error().message};
  }
  return Ok();
}

Status RecordTestPass(ImageStore& store, const std::string& project, const std::string& hash,
                      const std::string& image, const std::string& commit, const TestJob& job,
                      const std::string& inputs) {
  Marker marker;
  marker.kind = "test";
  marker.project = project;
  marker.hash = hash;
  marker.commit = commit;
  marker.job = job.name;
  marker.definition = TestJobDigest(job, inputs);
  marker.digest = image;
  return store.PutMarker(project, TestMarkerTag(hash, job.name), marker);
}

}  // namespace hoist
