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

std::string TrimEnd(std::string text) {
  const size_t end = text.find_last_not_of("\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

}  // namespace hoist
