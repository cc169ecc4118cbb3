#pragma once

#include <cstdint>
#include <string>

#include "util/expected.h"

namespace hoist {

/// The whole content of the file at `path`; an Error names the file and why it cannot be read,
/// or that it holds more than `max_bytes` (so a device like /dev/zero cannot exhaust memory).
Expected<std::string> ReadFile(const std::string& path, size_t max_bytes = SIZE_MAX);

}  // namespace hoist
