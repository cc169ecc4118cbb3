#pragma once

#include <string>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// What a gzip-compressed tar file holds, read through libarchive.
struct TarGzSummary {
  std::vector<std::string> entries;        ///< every entry's path, in the archive's order
  std::vector<std::string> regular_files;  ///< the paths of the entries that are regular files
  std::vector<std::string> links;          ///< the paths of symbolic and hard links
  std::string file_digest;                 ///< "sha256:<hex>" of the file as it is (gzip)
  std::string tar_digest;                  ///< "sha256:<hex>" of the uncompressed tar (a diff id)
  std::string bytes;                       ///< the file's content
};

/// Reads `path` whole; an error says what is wrong with it (missing, not gzip, not a tar,
/// truncated).
Expected<TarGzSummary> ReadTarGz(const std::string& path);

}  // namespace hoist
