#include "util/text.h"

namespace hoist {
namespace {

constexpr const char* kWhitespace = " \t\r\n";

}  // namespace

std::string Trim(const std::string& text) {
  const size_t start = text.find_first_not_of(kWhitespace);
  if (start == std::string::npos) return "";
  return text.substr(start, text.find_last_not_of(kWhitespace) - start + 1);
}

std::string Elided(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  const size_t keep = max / 2;
  return text.substr(0, keep) + "…(" + std::to_string(text.size()) + " characters)…" +
         text.substr(text.size() - keep / 2);
}

std::string TrimEnd(std::string text) {
  const size_t end = text.find_last_not_of("\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

}  // namespace hoist
