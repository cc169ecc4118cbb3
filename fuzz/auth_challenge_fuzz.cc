// WWW-Authenticate headers come from any registry (or what sits in front of one).
#include <cstddef>
#include <cstdint>
#include <string>

#include "oci/auth_challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  for (const auto& challenge : hoist::ParseAuthChallenges(header)) {
    (void)challenge.params.count("realm");
  }
  return 0;
}
