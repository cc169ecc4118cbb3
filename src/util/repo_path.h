#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hoist {

/// Joins `relative` onto the repository-relative directory `base` and normalises the result
/// lexically ("a/./b/../c" -> "a/c"). Returns nullopt when `relative` is absolute or the
/// result escapes the repository root. The root itself is ".".
std::optional<std::string> JoinRepoPath(std::string_view base, std::string_view relative);

/// True when `path` equals `dir` or lies beneath it (both repository-relative, normalised).
bool IsUnder(std::string_view path, std::string_view dir);

}  // namespace hoist
