#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "util/expected.h"

struct archive;

namespace hoist {

/// Writes a tar stream (POSIX pax, through libarchive) whose bytes depend only on what is
/// added: every entry owned by 0:0 with no user or group names, modes 0644/0755, and one fixed
/// modification time, so the same files give the same bytes on any machine. Parent
/// directories are added (0755) before the first entry below them.
class TarWriter {
 public:
  /// Receives the stream in blocks; returns false once nobody reads any more.
  using Sink = std::function<bool(std::string_view)>;

  /// 2000-01-01T00:00:00Z, as Bazel's reproducible archives use: not 1970, which tools that
  /// write ZIP files (Python wheels) reject.
  static constexpr int64_t kModificationTime = 946684800;

  explicit TarWriter(Sink sink);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  /// A regular file of `size` bytes; its content follows with Write calls.
  Status BeginFile(const std::string& path, bool executable, uint64_t size);
  Status Write(std::string_view data);
  /// A whole regular file at once.
  Status AddFile(const std::string& path, bool executable, std::string_view content);
  Status AddSymlink(const std::string& path, const std::string& target);
  /// Ends the stream (two zero blocks); nothing may be added afterwards.
  Status Finish();

  uint64_t bytes_written() const { return bytes_written_; }

 private:
  static ssize_t WriteCallback(struct archive* archive, void* self, const void* data, size_t size);
  Status AddParents(const std::string& path);
  Status WriteHeader(const std::string& path, unsigned type, unsigned mode, uint64_t size,
                     const std::string& link_target);
  Status Fail(const std::string& what) const;

  Sink sink_;
  struct archive* archive_ = nullptr;
  std::set<std::string> directories_;
  bool reader_gone_ = false;
  bool finished_ = false;
  uint64_t remaining_ = 0;  ///< bytes of the current file still to come
  uint64_t bytes_written_ = 0;
};

}  // namespace hoist
