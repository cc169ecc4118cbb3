// The Dockerfile reader and .dockerignore matching on arbitrary text: never a crash, and a
// Dockerfile hoist pins still parses to the same stages.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "docker/dockerfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto stages = hoist::ParseDockerfileStages(text, {{"BASE", "busybox"}});
  (void)hoist::DeclaredArgs(text);
  (void)hoist::ParseCopySources(text);
  if (stages) {
    std::map<int, std::string> pinned;
    for (const auto& stage : *stages) {
      (void)hoist::ImageBaseName(stage.base);
      (void)hoist::ImageNameCandidates(stage.base);
      pinned[stage.line] = "registry.example/pinned@sha256:" + std::string(64, 'a');
    }
    const std::string rewritten = hoist::PinFromLines(text, *stages, pinned);
    auto again = hoist::ParseDockerfileStages(rewritten, {{"BASE", "busybox"}});
    if (!again || again->size() != stages->size()) std::abort();  // pinning lost a stage
    (void)hoist::PinFromFlags(rewritten, [](const std::string&) { return std::string(); });
  }
  const auto lines = hoist::DockerignoreLines(text);
  for (const char* path : {"a", "src/main.c", "node_modules/x/y.js", ".git/config", "[x]"}) {
    (void)hoist::IsDockerignored(lines, path);
  }
  const size_t half = text.find('\n');
  if (half != std::string::npos) {
    (void)hoist::MatchesContextPattern(text.substr(0, half), text.substr(half + 1));
  }
  return 0;
}
