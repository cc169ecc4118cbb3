#pragma once

#include <string>

namespace hoist {

/// `text` without leading and trailing whitespace (spaces, tabs, CR, LF).
std::string Trim(const std::string& text);
/// `text` without its trailing line endings (a command's output without its final newline;
/// spaces stay: a path may end in one).
std::string TrimEnd(std::string text);
/// `text` as a message quotes it: itself when short, else its start and end around
/// "…(N characters)…", so that one long value (a pattern of 3000 alternatives) cannot bury
/// the message.
std::string Elided(const std::string& text, size_t max = 160);

}  // namespace hoist
