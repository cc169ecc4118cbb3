#include "util/temp_directory.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hoist {

TempDirectory::~TempDirectory() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Status TempDirectory::Make(const std::string& prefix) {
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) {
    return Error{"cannot make a temporary directory " + pattern + ": " + std::strerror(errno)};
  }
  path_ = pattern;
  return Ok();
}

}  // namespace hoist
