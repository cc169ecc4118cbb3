#pragma once

#include <optional>
#include <string>

namespace hoist {

/// Something wrong with one rebuild pattern; `fatal` problems make the manifest invalid.
struct PatternProblem {
  bool fatal = true;
  std::string reason;
  std::string hint;
};

/// Checks one rebuild pattern (an RE2 regex searched, unanchored, in repo-relative paths).
std::optional<PatternProblem> CheckRebuildPattern(const std::string& pattern);

/// Index of the first empty alternative ("a|", "|a", "a||b", "(|a)") in `pattern`, or npos.
size_t FindEmptyAlternative(const std::string& pattern);

}  // namespace hoist
