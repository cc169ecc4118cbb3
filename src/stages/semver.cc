#include "stages/semver.h"

#include <re2/re2.h>

#include <charconv>

namespace hoist {
namespace {

bool IsNumeric(const std::string& identifier) {
  return identifier.find_first_not_of("0123456789") == std::string::npos;
}

bool ToNumber(const std::string& text, unsigned long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

int CompareIdentifiers(const std::string& a, const std::string& b) {
  const bool a_numeric = IsNumeric(a), b_numeric = IsNumeric(b);
  if (a_numeric && b_numeric) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
  }
  if (a_numeric != b_numeric) return a_numeric ? -1 : 1;  // numeric identifiers sort first
  return a < b ? -1 : a == b ? 0 : 1;
}

}  // namespace

std::optional<SemanticVersion> SemanticVersion::Parse(const std::string& text) {
  // The grammar of semver.org, section "Is there a suggested regular expression".
  static const RE2 kSemver(
      R"((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?)");
  std::string major, minor, patch, prerelease, build;
  if (!RE2::FullMatch(text, kSemver, &major, &minor, &patch, &prerelease, &build)) {
    return std::nullopt;
  }
  SemanticVersion version;
  if (!ToNumber(major, version.major) || !ToNumber(minor, version.minor) ||
      !ToNumber(patch, version.patch)) {
    return std::nullopt;  // a number too large for 64 bits
  }
  size_t start = 0;
  while (!prerelease.empty()) {
    size_t dot = prerelease.find('.', start);
    version.prerelease.push_back(prerelease.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  version.build = build;
  return version;
}

std::string SemanticVersion::ToString() const {
  std::string text =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  for (size_t i = 0; i < prerelease.size(); ++i) text += (i == 0 ? "-" : ".") + prerelease[i];
  if (!build.empty()) text += "+" + build;
  return text;
}

int CompareVersions(const SemanticVersion& a, const SemanticVersion& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  // A pre-release sorts before its release.
  if (a.prerelease.empty() || b.prerelease.empty()) {
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : a.prerelease.empty() ? 1 : -1;
  }
  for (size_t i = 0; i < a.prerelease.size() && i < b.prerelease.size(); ++i) {
    int order = CompareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (order != 0) return order;
  }
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

}  // namespace hoist
