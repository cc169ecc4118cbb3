#pragma once

#include <nlohmann/json.hpp>

#include "manifest/manifest.h"

namespace hoist {

/// A project's settings as JSON (repository-relative paths), for --json output.
nlohmann::json ProjectToJson(const Project& project);

}  // namespace hoist
