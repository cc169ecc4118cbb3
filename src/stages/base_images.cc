#include "stages/base_images.h"

#include <algorithm>
#include <cctype>

#include "docker/dockerfile.h"

namespace hoist {
namespace {

bool IsStageIndex(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool NamesProject(const Manifest& manifest, const std::string& reference) {
  for (const auto& candidate : ImageNameCandidates(reference)) {
    if (manifest.IndexOf(candidate) >= 0) return true;
  }
  return false;
}

}  // namespace

Expected<std::vector<OutsideImage>> OutsideImages(
    const Manifest& manifest, const std::string& text,
    const std::map<std::string, std::string>& build_args) {
  auto stages = ParseDockerfileStages(text, build_args);
  if (!stages) return stages.error();
  std::vector<OutsideImage> images;
  std::vector<std::string> stage_names;
  auto add = [&](const std::string& reference, int line) {
    if (reference.empty() || reference == "scratch" || IsStageIndex(reference)) return;
    if (std::find(stage_names.begin(), stage_names.end(), reference) != stage_names.end()) return;
    if (NamesProject(manifest, reference)) return;
    for (const auto& image : images) {
      if (image.reference == reference) return;
    }
    images.push_back({reference, line});
  };
  for (const auto& stage : *stages) {
    add(stage.base, stage.line);
    if (!stage.name.empty()) stage_names.push_back(stage.name);
  }
  (void)PinFromFlags(text, [&](const std::string& name) {
    add(name, 0);
    return std::string();
  });
  return images;
}

std::string PinnedReference(const std::string& reference, const ResolvedImage& resolved) {
  if (resolved.image_id) return resolved.digest;
  if (reference.find('@') != std::string::npos) return reference;
  return reference + "@" + resolved.digest;
}

ResolvedBases ResolvedBases::Resolve(const Manifest& manifest,
                                     const std::vector<std::string>& texts,
                                     const ImageResolver& resolve) {
  ResolvedBases result;
  const size_t n = manifest.projects.size();
  result.inputs_.records.resize(n);
  result.inputs_.errors.resize(n);
  std::map<std::string, Expected<ResolvedImage>> cache;
  for (size_t p = 0; p < n && p < texts.size(); ++p) {
    const Project& project = manifest.projects[p];
    if (texts[p].empty()) continue;
    auto images = OutsideImages(manifest, texts[p], project.build_args);
    if (!images) continue;  // the build reports the malformed FROM with its line
    for (const auto& image : *images) {
      auto found = cache.find(image.reference);
      if (found == cache.end()) {
        found = cache.emplace(image.reference, resolve(image.reference)).first;
      }
      const auto& resolved = found->second;
      if (!resolved) {
        if (result.inputs_.errors[p].empty()) {
          result.inputs_.errors[p] =
              project.dockerfile_path + (image.line ? ":" + std::to_string(image.line) : "") +
              ": cannot tell which image " + image.reference + " is (" + resolved.error().message +
              "), so its hash cannot say what is built; pull it " + "(docker pull " +
              image.reference + ") or pin it in the Dockerfile by digest (" + image.reference +
              "@sha256:…)";
        }
        continue;
      }
      result.inputs_.records[p].push_back(image.reference + " " + resolved->digest);
      result.pinned_[image.reference] = PinnedReference(image.reference, *resolved);
    }
    std::sort(result.inputs_.records[p].begin(), result.inputs_.records[p].end());
  }
  return result;
}

std::string ResolvedBases::Pinned(const std::string& reference) const {
  auto found = pinned_.find(reference);
  return found == pinned_.end() ? "" : found->second;
}

}  // namespace hoist
