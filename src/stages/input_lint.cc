#include "stages/input_lint.h"

#include <algorithm>
#include <sstream>

#include "docker/dockerfile.h"
#include "source/content_hash.h"

namespace hoist {
namespace {

// How many files a finding names before "and N more".
constexpr size_t kFilesShown = 3;

}  // namespace

std::vector<UncoveredInput> FindUncoveredInputs(const Manifest& manifest, const PatternIndex& index,
                                                const std::vector<std::string>& tracked,
                                                const std::vector<int>& projects,
                                                const FileReader& read) {
  std::vector<UncoveredInput> found;
  std::vector<int> matched;
  // Sorted, so that each context's files are one range, not a pass over the whole tree.
  std::vector<std::string_view> files(tracked.begin(), tracked.end());
  if (!std::is_sorted(files.begin(), files.end())) std::sort(files.begin(), files.end());
  for (int p : projects) {
    const Project& project = manifest.projects[p];
    const auto dockerfile = read(project.dockerfile_path);
    if (!dockerfile) continue;
    // BuildKit reads <Dockerfile>.dockerignore when there is one (even empty), else the
    // context's.
    const auto ignore_files = DockerignoreFiles(project);
    auto ignore_text = read(ignore_files[1]);
    if (!ignore_text) ignore_text = read(ignore_files[0]);
    const auto ignore = DockerignoreLines(ignore_text.value_or(""));
    const std::string prefix = project.build_dir == "." ? "" : project.build_dir + "/";
    const auto& covering = index.TransitivePatterns(p);
    const auto hashed = AlwaysHashedFiles(project);  // inputs whatever the patterns say
    for (const auto& source : ParseCopySources(*dockerfile)) {
      UncoveredInput input{
          p, project.dockerfile_path, source.line, source.instruction + " " + source.path, {}};
      for (auto it = std::lower_bound(files.begin(), files.end(), std::string_view(prefix));
           it != files.end() && it->starts_with(prefix); ++it) {
        const std::string path(*it);
        const std::string in_context = path.substr(prefix.size());
        if (!MatchesContextPattern(source.path, in_context) ||
            IsDockerignored(ignore, in_context)) {
          continue;
        }
        matched.clear();
        if (!index.Match(path, &matched)) continue;
        bool covered = std::any_of(matched.begin(), matched.end(), [&](int id) {
          return std::binary_search(covering.begin(), covering.end(), id);
        });
        if (!covered && std::find(hashed.begin(), hashed.end(), path) == hashed.end()) {
          input.files.push_back(path);
        }
      }
      std::sort(input.files.begin(), input.files.end());
      if (!input.files.empty()) found.push_back(std::move(input));
    }
  }
  return found;
}

std::string DescribeUncoveredInput(const Manifest& manifest, const UncoveredInput& input) {
  const Project& project = manifest.projects[input.project];
  std::string files;
  for (size_t i = 0; i < input.files.size() && i < kFilesShown; ++i) {
    files += (i == 0 ? "" : ", ") + input.files[i];
  }
  if (input.files.size() > kFilesShown) {
    files += " and " + std::to_string(input.files.size() - kFilesShown) + " more";
  }
  return input.dockerfile + ":" + std::to_string(input.line) + ": " + input.instruction +
         " copies " + files + ", which no rebuild pattern of '" + project.name +
         "' covers, so they are not in the build context hoist sends and the image will not "
         "have them; add a pattern to its rebuildPatterns in " +
         manifest.file + ", or leave the files out with .dockerignore";
}

}  // namespace hoist
