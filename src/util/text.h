#pragma once

#include <string>

namespace hoist {

/// `text` without leading and trailing whitespace (spaces, tabs, CR, LF).
std::string Trim(const std::string& text);
/// `text` without its trailing line endings (a command's output without its final newline;
/// spaces stay: a path may end in one).
std::string TrimEnd(std::string text);

}  // namespace hoist
