#pragma once

#include <string>
#include <string_view>

namespace hoist {

/// True when `name` is a valid repository name component of the OCI distribution spec
/// (lowercase alphanumerics separated by '.', '_', '__', '-'+, path parts joined by '/').
bool IsValidRepositoryName(std::string_view name);

/// A valid repository name close to `name` (lowercased, bad characters replaced), for hints.
std::string SuggestRepositoryName(std::string_view name);

}  // namespace hoist
