// Marker manifests and contents come from a registry anyone with push rights writes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "store/marker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)hoist::ReadMarkerManifest(bytes);
  auto marker = hoist::MarkerFromJson(bytes);
  if (marker) {
    // What hoist writes, it reads back the same.
    auto again = hoist::MarkerFromJson(hoist::MarkerToJson(*marker));
    if (!again || again->digest != marker->digest || again->kind != marker->kind ||
        again->tier != marker->tier) {
      std::abort();
    }
  }
  return 0;
}
