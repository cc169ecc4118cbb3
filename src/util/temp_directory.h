#pragma once

#include <string>

#include "util/expected.h"

namespace hoist {

/// A directory of hoist's own under the system's temporary directory, removed with everything
/// in it when this goes out of scope.
class TempDirectory {
 public:
  TempDirectory() = default;
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  /// Makes PREFIX-XXXXXX; an Error says why not.
  Status Make(const std::string& prefix);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hoist
