#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hoist {

/// Levenshtein distance between two strings, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `name`, or "" when none is close enough to suggest.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace hoist
