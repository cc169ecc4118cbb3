#include "util/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <sstream>

#include "util/digest.h"

namespace hoist {
namespace {

/// An archive reader over `bytes`, gzip only, as `format` ("tar" or "raw").
struct Reader {
  explicit Reader(const std::string& bytes, bool raw) : handle(archive_read_new()) {
    archive_read_support_filter_gzip(handle);
    if (raw) {
      archive_read_support_format_raw(handle);
    } else {
      archive_read_support_format_tar(handle);
    }
    opened = archive_read_open_memory(handle, bytes.data(), bytes.size()) == ARCHIVE_OK;
  }
  ~Reader() { archive_read_free(handle); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  std::string Error() const {
    const char* text = archive_error_string(handle);
    return text ? text : "unreadable";
  }
  archive* handle;
  bool opened = false;
};

}  // namespace

Expected<TarGzSummary> ReadTarGz(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path};
  std::ostringstream content;
  content << in.rdbuf();
  TarGzSummary summary;
  summary.bytes = content.str();
  if (summary.bytes.size() < 2 || static_cast<unsigned char>(summary.bytes[0]) != 0x1f ||
      static_cast<unsigned char>(summary.bytes[1]) != 0x8b) {
    return Error{path + " is not gzip-compressed (a .tar.gz is expected)"};
  }
  summary.file_digest = Sha256Digest(summary.bytes);
  {
    Reader raw(summary.bytes, true);
    archive_entry* entry = nullptr;
    if (!raw.opened || archive_read_next_header(raw.handle, &entry) != ARCHIVE_OK) {
      return Error{path + ": " + raw.Error()};
    }
    Digest digest;
    char buffer[1 << 16];
    for (;;) {
      la_ssize_t n = archive_read_data(raw.handle, buffer, sizeof buffer);
      if (n < 0) return Error{path + ": " + raw.Error()};
      if (n == 0) break;
      digest.Update(std::string_view(buffer, static_cast<size_t>(n)));
    }
    summary.tar_digest = "sha256:" + digest.Finish();
  }
  Reader tar(summary.bytes, false);
  if (!tar.opened) return Error{path + ": " + tar.Error()};
  archive_entry* entry = nullptr;
  for (;;) {
    int status = archive_read_next_header(tar.handle, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return Error{path + " is not a complete tar: " + tar.Error()};
    }
    summary.entries.push_back(archive_entry_pathname(entry));
    if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == nullptr) {
      summary.regular_files.push_back(summary.entries.back());
    } else if (archive_entry_filetype(entry) == AE_IFLNK ||
               archive_entry_hardlink(entry) != nullptr) {
      summary.links.push_back(summary.entries.back());
    }
    archive_read_data_skip(tar.handle);
  }
  return summary;
}

}  // namespace hoist
