#include "manifest/rebuild_pattern.h"

#include <re2/re2.h>

#include <vector>

namespace hoist {

size_t FindEmptyAlternative(const std::string& pattern) {
  // One entry per open group: whether its current alternative has any content yet.
  std::vector<bool> has_content{false};
  const size_t n = pattern.size();
  for (size_t i = 0; i < n; ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
      has_content.back() = true;
    } else if (c == '[') {
      // Skip the character class: a leading ']' (after an optional '^') is literal.
      size_t j = i + 1;
      if (j < n && pattern[j] == '^') ++j;
      if (j < n && pattern[j] == ']') ++j;
      while (j < n && pattern[j] != ']') {
        if (pattern[j] == '\\')
          ++j;
        else if (pattern[j] == '[' && j + 1 < n && pattern[j + 1] == ':') {
          size_t close = pattern.find(":]", j + 2);
          if (close != std::string::npos) j = close + 1;
        }
        ++j;
      }
      i = j;
      has_content.back() = true;
    } else if (c == '(') {
      if (i + 1 < n && pattern[i + 1] == '?') {
        // "(?flags)" sets flags and holds nothing; "(?:", "(?P<name>" open a group.
        size_t j = i + 2;
        while (j < n && pattern[j] != ':' && pattern[j] != ')' && pattern[j] != '>') ++j;
        if (j < n && pattern[j] == ')') {
          i = j;
          continue;
        }
        i = j;
      }
      has_content.push_back(false);
    } else if (c == '|') {
      if (!has_content.back()) return i;
      has_content.back() = false;
      // An alternative that ends the group or the pattern is empty too.
      if (i + 1 == n || pattern[i + 1] == ')' || pattern[i + 1] == '|') return i;
    } else if (c == ')') {
      if (has_content.size() > 1) has_content.pop_back();
      has_content.back() = true;
    } else {
      has_content.back() = true;
    }
  }
  return std::string::npos;
}

std::optional<PatternProblem> CheckRebuildPattern(const std::string& pattern) {
  if (pattern.empty()) {
    return PatternProblem{true, "the pattern is empty and would match every file",
                          "remove it, or write '^' followed by a directory to match"};
  }
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (re.error_code() == RE2::ErrorPatternTooLarge) {
    return PatternProblem{true,
                          "too complex: its compiled form exceeds the bound of " +
                              std::to_string(options.max_mem() >> 20) + " MiB",
                          "split it into several patterns, or simplify it (nested repetitions "
                          "such as (a{100}){100} multiply)"};
  }
  if (!re.ok()) {
    return PatternProblem{true, "invalid regular expression: " + re.error(),
                          "patterns use RE2 syntax (like grep -E); escape literal characters "
                          "with '\\'"};
  }
  size_t empty = FindEmptyAlternative(pattern);
  if (empty != std::string::npos) {
    return PatternProblem{true,
                          "empty alternative at offset " + std::to_string(empty) +
                              ": an empty branch of '|' matches every file",
                          "remove the stray '|', or write an optional part as (...)?"};
  }
  if (RE2::PartialMatch("", re) && RE2::PartialMatch("hoist/probe/\x7f", re)) {
    return PatternProblem{false, "the pattern matches every file in the repository",
                          "if every file should trigger a rebuild this is fine; otherwise "
                          "anchor it to a directory, e.g. '^lib/'"};
  }
  return std::nullopt;
}

}  // namespace hoist
