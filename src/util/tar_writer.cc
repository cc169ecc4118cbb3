#include "util/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>

#include <memory>

namespace hoist {
namespace {

/// libarchive converts names from the locale's character set to the UTF-8 a pax header holds;
/// in the C locale it refused every non-ASCII name. Each call runs with a UTF-8 character set
/// on its own thread only (uselocale), never changing the process's locale. (Writing names as
/// raw bytes instead, pax hdrcharset=BINARY, puts a pax header first, which the docker CLI's
/// check that stdin is a tar does not recognise.)
class Utf8Names {
 public:
  Utf8Names() {
    static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (utf8) previous_ = uselocale(utf8);
  }
  ~Utf8Names() {
    if (previous_) uselocale(previous_);
  }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};

}  // namespace

TarWriter::TarWriter(Sink sink) : sink_(std::move(sink)) {
  archive_ = archive_write_new();
  // pax_restricted: plain ustar headers, a pax extension only for what ustar cannot hold
  // (long paths, big files), as GNU tar and docker read.
  archive_write_set_format_pax_restricted(archive_);
  // Written in 256 KiB blocks (not tar's traditional 10 KiB: 25x fewer writes to the pipe),
  // the last one not padded beyond the two end blocks tar needs.
  archive_write_set_bytes_per_block(archive_, 256 * 1024);
  archive_write_set_bytes_in_last_block(archive_, 1);
  archive_write_open(archive_, this, nullptr, &TarWriter::WriteCallback, nullptr);
}

TarWriter::~TarWriter() {
  if (!finished_) archive_write_fail(archive_);
  archive_write_free(archive_);
}

ssize_t TarWriter::WriteCallback(struct archive*, void* self, const void* data, size_t size) {
  auto* writer = static_cast<TarWriter*>(self);
  if (writer->reader_gone_ ||
      !writer->sink_(std::string_view(static_cast<const char*>(data), size))) {
    writer->reader_gone_ = true;
    return -1;
  }
  writer->bytes_written_ += size;
  return static_cast<ssize_t>(size);
}

Status TarWriter::Fail(const std::string& what) const {
  if (reader_gone_) return Error{"the reader of the build context stopped reading"};
  const char* why = archive_error_string(archive_);
  return Error{what + ": " + (why ? why : "libarchive failed")};
}

Status TarWriter::WriteHeader(const std::string& path, unsigned type, unsigned mode, uint64_t size,
                              const std::string& link_target) {
  Utf8Names utf8;  // for the names set below
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      archive_entry_free);
  archive_entry_set_pathname(entry.get(), path.c_str());
  archive_entry_set_filetype(entry.get(), type);
  archive_entry_set_perm(entry.get(), mode);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  archive_entry_set_mtime(entry.get(), kModificationTime, 0);
  if (!link_target.empty()) archive_entry_set_symlink(entry.get(), link_target.c_str());
  if (archive_write_header(archive_, entry.get()) != ARCHIVE_OK) return Fail("tar entry " + path);
  return Ok();
}

Status TarWriter::AddParents(const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string directory = path.substr(0, slash + 1);
    if (!directories_.insert(directory).second) continue;
    auto written = WriteHeader(directory, AE_IFDIR, 0755, 0, "");
    if (!written) return written;
  }
  return Ok();
}

Status TarWriter::BeginFile(const std::string& path, bool executable, uint64_t size) {
  if (remaining_ != 0) return Error{"tar entry before " + path + " is incomplete"};
  auto parents = AddParents(path);
  if (!parents) return parents;
  auto header = WriteHeader(path, AE_IFREG, executable ? 0755 : 0644, size, "");
  if (!header) return header;
  remaining_ = size;
  return Ok();
}

Status TarWriter::Write(std::string_view data) {
  if (data.size() > remaining_) return Error{"more bytes than the tar entry announced"};
  while (!data.empty()) {
    la_ssize_t n = archive_write_data(archive_, data.data(), data.size());
    if (n <= 0) return Fail("tar data");
    data.remove_prefix(static_cast<size_t>(n));
    remaining_ -= static_cast<uint64_t>(n);
  }
  return Ok();
}

Status TarWriter::AddFile(const std::string& path, bool executable, std::string_view content) {
  auto begun = BeginFile(path, executable, content.size());
  if (!begun) return begun;
  return Write(content);
}

Status TarWriter::AddSymlink(const std::string& path, const std::string& target) {
  if (remaining_ != 0) return Error{"tar entry before " + path + " is incomplete"};
  auto parents = AddParents(path);
  if (!parents) return parents;
  return WriteHeader(path, AE_IFLNK, 0777, 0, target);
}

Status TarWriter::Finish() {
  if (remaining_ != 0) return Error{"the last tar entry is incomplete"};
  if (archive_write_close(archive_) != ARCHIVE_OK) return Fail("end of tar");
  finished_ = true;
  return Ok();
}

}  // namespace hoist
