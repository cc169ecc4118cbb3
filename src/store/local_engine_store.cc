#include "store/local_engine_store.h"

#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace hoist {
namespace {

constexpr const char* kMarkerLabel = "dev.hoist.marker";

/// Runs `docker ARGS...`; an Error that says how to start an engine when none answers.
Expected<ProcessResult> Docker(const std::vector<std::string>& args,
                               const std::string& stdin_data = "") {
  ProcessSpec spec;
  spec.argv = {"docker"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdin_data = stdin_data;
  auto result = RunProcess(spec);
  if (!result) {
    return Error{"the docker CLI is needed for the local engine store (" + result.error().message +
                 "); install it with: apt-get install docker.io"};
  }
  const std::string& err = result->stderr_text;
  if (result->exit_code != 0 &&
      (err.find("Cannot connect to the Docker daemon") != std::string::npos ||
       err.find("Is the docker daemon running") != std::string::npos)) {
    return Error{"no Docker engine answers (" + Trim(err) +
                 "); start one, e.g.: dockerd --bridge=none --iptables=false --ip-masq=false &, "
                 "or give a registry with --registry HOST"};
  }
  return result;
}

/// An empty tar archive: two zero blocks.
const std::string kEmptyTar(1024, '\0');

}  // namespace

LocalEngineStore::LocalEngineStore(std::string prefix) : prefix_(std::move(prefix)) {}

std::string LocalEngineStore::Describe() const {
  return "the local Docker engine";
}

std::string LocalEngineStore::Repository(const std::string& project) const {
  return prefix_.empty() ? project : prefix_ + "/" + project;
}

std::string LocalEngineStore::Reference(const std::string& project, const std::string& tag) const {
  return Repository(project) + ":" + tag;
}

Status LocalEngineStore::Prepare(const std::vector<std::string>& projects) {
  // One Engine API listing answers every project's Exists(), Identity() and markers until the
  // next write. The engine's listing costs in proportion to every image it holds (Docker 20.10
  // here: 2.3 s with 6,400 images, intermediates aside), an inspect ~2 ms: a few projects are
  // asked one by one.
  // Either way an engine that does not answer is said once, here, not once per project.
  if (projects.size() < kListingFrom) return api_.Ping();
  return List();
}

Status LocalEngineStore::List() {
  // A `docker image ls` per project cost ~150 ms each: 32 s for 200 projects.
  auto images = api_.ListImages();
  if (!images) return images.error();
  std::map<std::string, std::map<std::string, Listed>> listing;
  for (const auto& image : *images) {
    for (const auto& reference : image.repo_tags) {
      const size_t colon = reference.rfind(':');
      if (colon == std::string::npos) continue;
      listing[reference.substr(0, colon)][reference.substr(colon + 1)] = {image.id, image.labels};
    }
  }
  std::lock_guard<std::mutex> lock(listing_mutex_);
  listing_ = std::move(listing);
  return Ok();
}

void LocalEngineStore::Forget() {
  std::lock_guard<std::mutex> lock(listing_mutex_);
  listing_.reset();
}

std::optional<std::optional<LocalEngineStore::Listed>> LocalEngineStore::FromListing(
    const std::string& repository, const std::string& tag) {
  std::lock_guard<std::mutex> lock(listing_mutex_);
  if (!listing_) return std::nullopt;
  auto images = listing_->find(repository);
  if (images == listing_->end()) return std::optional<Listed>();
  auto image = images->second.find(tag);
  if (image == images->second.end()) return std::optional<Listed>();
  return std::optional<Listed>(image->second);
}

Expected<Presence> LocalEngineStore::Exists(const std::string& project, const std::string& tag) {
  if (auto listed = FromListing(Repository(project), tag)) {
    return *listed ? Presence::kPresent : Presence::kAbsent;
  }
  auto labels = api_.InspectLabels(Reference(project, tag));
  if (!labels) return labels.error();
  return *labels ? Presence::kPresent : Presence::kAbsent;
}

Expected<std::optional<std::string>> LocalEngineStore::Identity(const std::string& project,
                                                                const std::string& tag) {
  if (auto listed = FromListing(Repository(project), tag)) {
    return *listed ? std::optional<std::string>((*listed)->id) : std::nullopt;
  }
  auto image = api_.InspectImage(Reference(project, tag));
  if (!image) return image.error();
  if (!*image) return std::optional<std::string>();
  return std::optional<std::string>((*image)->id);
}

Status LocalEngineStore::Tag(const std::string& project, const std::string& from,
                             const std::string& to) {
  Forget();
  auto tagged = api_.Tag(Reference(project, from), Reference(project, to));
  Forget();  // and after: a listing made meanwhile (Tags() lists on demand) predates the write
  return tagged;
}

Status LocalEngineStore::Untag(const std::string& project, const std::string& tag) {
  Forget();
  auto untagged = api_.Untag(Reference(project, tag));
  Forget();
  return untagged;
}

Expected<std::vector<std::string>> LocalEngineStore::Tags(const std::string& project) {
  const std::string repository = Repository(project);
  {
    // Every tag of a repository: the engine answers that only with a listing, one for all the
    // threads that ask at once.
    std::lock_guard<std::mutex> listing_once(list_mutex_);
    bool listed = false;
    {
      std::lock_guard<std::mutex> lock(listing_mutex_);
      listed = listing_.has_value();
    }
    if (!listed) {
      auto status = List();
      if (!status) return status.error();
    }
  }
  {
    std::lock_guard<std::mutex> lock(listing_mutex_);
    if (listing_) {
      std::vector<std::string> tags;
      auto found = listing_->find(repository);
      if (found != listing_->end()) {
        for (const auto& [tag, image] : found->second) tags.push_back(tag);
      }
      return tags;
    }
  }
  auto result = Docker({"image", "ls", "--format", "{{.Tag}}", repository});
  if (!result) return result.error();
  if (result->exit_code != 0) {
    return Error{"the local Docker engine cannot list " + repository + ": " +
                 Trim(result->stderr_text)};
  }
  std::vector<std::string> tags;
  size_t start = 0;
  const std::string& out = result->stdout_text;
  for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string tag = out.substr(start, end - start);
    if (!tag.empty() && tag != "<none>") tags.push_back(tag);
  }
  return tags;
}

Expected<std::optional<std::string>> LocalEngineStore::MarkerLabel(const std::string& project,
                                                                   const std::string& tag) {
  std::optional<std::string> labels;
  if (auto listed = FromListing(Repository(project), tag)) {
    if (!*listed) return std::optional<std::string>();
    labels = (*listed)->labels;
  } else {
    auto inspected = api_.InspectLabels(Reference(project, tag));
    if (!inspected) return inspected.error();
    if (!*inspected) return std::optional<std::string>();
    labels = **inspected;
  }
  auto json = nlohmann::json::parse(*labels, nullptr, false);
  std::string label;
  if (json.is_object() && json.contains(kMarkerLabel) && json[kMarkerLabel].is_string()) {
    label = json[kMarkerLabel].get<std::string>();
  }
  return std::optional<std::string>(label);
}

Status LocalEngineStore::PutMarker(const std::string& project, const std::string& tag,
                                   const Marker& marker) {
  const std::string reference = Reference(project, tag);
  auto existing = MarkerLabel(project, tag);
  if (!existing) return existing.error();
  if (*existing && (*existing)->empty()) {
    return Error{reference + " names an image, not a hoist marker; hoist leaves it alone"};
  }
  const Marker stored = Stamped(marker, tag);
  Forget();
  auto result =
      Docker({"import", "--change",
              std::string("LABEL ") + kMarkerLabel + "=" + Base64Encode(MarkerToJson(stored)), "-",
              reference},
             kEmptyTar);
  Forget();
  if (!result) return result.error();
  if (result->exit_code != 0) {
    return Error{"the local Docker engine cannot store marker " + reference + ": " +
                 Trim(result->stderr_text)};
  }
  return Ok();
}

Expected<std::optional<Marker>> LocalEngineStore::GetMarker(const std::string& project,
                                                            const std::string& tag) {
  const std::string reference = Reference(project, tag);
  auto label = MarkerLabel(project, tag);
  if (!label) return label.error();
  if (!*label) return std::optional<Marker>();
  if ((*label)->empty()) {
    return Error{reference + " names an image, not a hoist marker"};
  }
  auto marker = MarkerFromJson(Base64Decode(**label));
  if (!marker) return Error{reference + ": " + marker.error().message};
  return std::optional<Marker>(std::move(*marker));
}

Status LocalEngineStore::DeleteMarker(const std::string& project, const std::string& tag) {
  const std::string reference = Reference(project, tag);
  auto label = MarkerLabel(project, tag);
  if (!label) return label.error();
  if (!*label) return Ok();
  if ((*label)->empty()) {
    return Error{reference + " names an image, not a hoist marker; hoist leaves it alone"};
  }
  return Untag(project, tag);
}

}  // namespace hoist
