#pragma once

#include <string>

#include "util/expected.h"

namespace hoist {

/// An image named on the command line: `[HOST[:PORT]/]REPOSITORY[:TAG|@DIGEST]`.
struct ImageReference {
  std::string host;  ///< "" when none was given (the cache registry is meant)
  std::string repository;
  std::string reference;  ///< tag or digest ("latest" when none was given)

  /// Parses `text` as docker does: the first path component is a host when it holds a '.' or
  /// ':' or is "localhost".
  static Expected<ImageReference> Parse(const std::string& text);
};

}  // namespace hoist
