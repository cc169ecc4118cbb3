#include "util/repo_path.h"

#include <vector>

namespace hoist {

std::optional<std::string> JoinRepoPath(std::string_view base, std::string_view relative) {
  if (!relative.empty() && relative.front() == '/') return std::nullopt;
  std::vector<std::string_view> parts;
  auto push_all = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      std::string_view part = path.substr(start, end - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
    return true;
  };
  if (!base.empty() && base.front() == '/') return std::nullopt;
  if (!push_all(base) || !push_all(relative)) return std::nullopt;
  if (parts.empty()) return std::string(".");
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir == ".") return true;
  if (path.size() < dir.size() || path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

}  // namespace hoist
