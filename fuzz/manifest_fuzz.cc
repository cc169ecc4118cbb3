// The manifest loader on arbitrary text, as YAML and as JSON: diagnostics, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "manifest/manifest_loader.h"
#include "util/temp_directory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An empty repository: a dependency script named by the input never exists there.
  static hoist::TempDirectory root;
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)hoist::ParseManifest(text, root.path() + "/build_manifest.yml", root.path());
  (void)hoist::ParseManifest(text, root.path() + "/build_manifest.json", root.path());
  return 0;
}
