#include "util/repository_name.h"

#include <re2/re2.h>

#include <cctype>

namespace hoist {
namespace {

// From the OCI distribution spec, "Pulling manifests": the <name> grammar.
constexpr const char* kRepositoryName =
    "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*";
constexpr size_t kMaxRepositoryNameLength = 255;

}  // namespace

bool IsValidRepositoryName(std::string_view name) {
  static const RE2 pattern(kRepositoryName);
  return name.size() <= kMaxRepositoryNameLength && RE2::FullMatch(name, pattern);
}

std::string SuggestRepositoryName(std::string_view name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (c == '.' || c == '_' || c == '-' || c == '/') {
      out += c;
    } else {
      out += '-';
    }
  }
  // Separators may not start, end or double up (except "__" and runs of '-').
  std::string cleaned;
  for (char c : out) {
    bool separator = !std::isalnum(static_cast<unsigned char>(c));
    if (separator && (cleaned.empty() || cleaned.back() == '/' || cleaned.back() == '.')) continue;
    if (c == '/' && !std::isalnum(static_cast<unsigned char>(cleaned.back()))) cleaned.pop_back();
    cleaned += c;
  }
  while (!cleaned.empty() && !std::isalnum(static_cast<unsigned char>(cleaned.back()))) {
    cleaned.pop_back();
  }
  return cleaned;
}

}  // namespace hoist
