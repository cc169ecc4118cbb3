#include "source/git_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>

#include "util/digest.h"

namespace hoist {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kOidSize = 20;         // SHA-1; a SHA-256 index fails its checksum here
constexpr size_t kEntryFixedSize = 62;  // stat data, oid and flags, before the path
constexpr uint16_t kExtendedFlag = 0x4000;
constexpr uint16_t kNameLengthMask = 0x0fff;

uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

uint16_t Be16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

/// Lowercase hex of an object id, into the 40 chars at `hex`.
void HexInto(const unsigned char* oid, char* hex) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < kOidSize; ++i) {
    hex[2 * i] = kHex[oid[i] >> 4];
    hex[2 * i + 1] = kHex[oid[i] & 15];
  }
}

/// Lowercase hex of an object id.
std::string Hex(const unsigned char* oid) {
  std::string hex(2 * kOidSize, '0');
  HexInto(oid, hex.data());
  return hex;
}

/// The root's tree id from a cache-tree extension ("" when it is invalid): the root entry
/// is an empty path, NUL, "ENTRIES SUBTREES\n" in ASCII, then the id when ENTRIES >= 0.
std::string RootTree(std::string_view data) {
  if (data.empty() || data[0] != '\0') return "";
  size_t newline = data.find('\n');
  if (newline == std::string_view::npos) return "";
  std::string_view counts = data.substr(1, newline - 1);
  if (counts.empty() || counts[0] == '-') return "";  // -1: invalidated since written
  if (data.size() < newline + 1 + kOidSize) return "";
  return Hex(reinterpret_cast<const unsigned char*>(data.data()) + newline + 1);
}

}  // namespace

std::string IndexEntry::oid_hex() const {
  return Hex(oid);
}

std::string IndexEntry::mode_text() const {
  char text[8];
  snprintf(text, sizeof text, "%06o", mode);
  return text;
}

bool GitIndex::ListAsTree(const std::string& tree,
                          const std::function<void(const TreeEntryView&)>& visit) const {
  if (tree.empty() || root_tree_ != tree) return false;
  // The mode and id written into buffers of this frame: no string made per entry.
  char mode[6];  // git's modes are six octal digits: 100644, 100755, 120000, 160000
  char oid[2 * kOidSize];
  for (const IndexEntry& entry : entries_) {
    if (entry.intent_to_add()) continue;
    uint32_t bits = entry.mode;
    for (int i = 5; i >= 0; --i, bits >>= 3) mode[i] = static_cast<char>('0' + (bits & 7));
    HexInto(entry.oid, oid);
    visit(TreeEntryView{std::string_view(mode, sizeof mode), std::string_view(oid, sizeof oid),
                        entry.path});
  }
  return true;
}

Expected<GitIndex> GitIndex::Read(const std::string& path) {
  GitIndex index;
  // The file mapped from the page cache in one call, its pages mapped up front: copying it,
  // or faulting it in page by page, costs more than parsing it.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"no index at " + path};
  struct stat info {};
  if (fstat(fd, &info) != 0 || info.st_size == 0) {
    close(fd);
    return Error{"cannot read " + path + " (empty)"};
  }
  index.mtime_sec_ = info.st_mtim.tv_sec;
  const size_t size = static_cast<size_t>(info.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) return Error{"cannot read " + path};
  index.data_ =
      std::shared_ptr<const char>(static_cast<const char*>(mapped),
                                  [size](const char* p) { munmap(const_cast<char*>(p), size); });
  const std::string_view d(index.data_.get(), size);
  auto bad = [&](const std::string& why) { return Error{path + ": " + why}; };
  if (d.size() < kHeaderSize + kOidSize || !d.starts_with("DIRC")) {
    return bad("not a git index");
  }
  const size_t end = d.size() - kOidSize;  // the trailing checksum covers everything before it
  // The checksum is computed on another thread while the entries are parsed (a 50,000-entry
  // index is 5 MB, 10 ms of SHA-1 here; 1M entries 200 ms). git 2.40's index.skipHash writes
  // none (all zeros), and git then checks none.
  auto checksum_matches = std::async(std::launch::async, [d, end] {
    const std::string trailer = Hex(reinterpret_cast<const unsigned char*>(d.data()) + end);
    if (trailer == std::string(2 * kOidSize, '0')) return true;
    Digest checksum(Digest::Algorithm::kSha1);
    checksum.Update(std::string_view(d.data(), end));
    return checksum.Finish() == trailer;
  });
  auto parse = [&]() -> Status {
    const uint32_t version = Be32(d.data() + 4);
    if (version < 2 || version > 4) return bad("index version " + std::to_string(version));
    const uint32_t count = Be32(d.data() + 8);
    // The count is read before the checksum is known: a damaged one must not ask for more
    // entries than the file can hold.
    index.entries_.reserve(std::min<size_t>(count, (end - kHeaderSize) / kEntryFixedSize));
    size_t at = kHeaderSize;
    std::string previous;  // v4: each path is a suffix of the one before
    for (uint32_t n = 0; n < count; ++n) {
      if (at + kEntryFixedSize > end) return bad("truncated entry");
      const char* e = d.data() + at;
      IndexEntry entry{};
      entry.ctime_sec = Be32(e);
      entry.ctime_nsec = Be32(e + 4);
      entry.mtime_sec = Be32(e + 8);
      entry.mtime_nsec = Be32(e + 12);
      entry.dev = Be32(e + 16);
      entry.ino = Be32(e + 20);
      entry.mode = Be32(e + 24);
      entry.uid = Be32(e + 28);
      entry.gid = Be32(e + 32);
      entry.size = Be32(e + 36);
      std::memcpy(entry.oid, e + 40, kOidSize);
      entry.flags = Be16(e + 60);
      size_t header = kEntryFixedSize;
      if ((entry.flags & kExtendedFlag) != 0) {
        if (version < 3) return bad("extended flags in a version 2 index");
        if (at + header + 2 > end) return bad("truncated entry");
        entry.extended_flags = Be16(e + header);
        header += 2;
      }
      const char* name = e + header;
      const size_t room = end - (at + header);
      if (version == 4) {
        // A varint (git's offset encoding): how many bytes of the previous path to drop.
        size_t used = 0;
        if (room == 0) return bad("truncated entry");
        unsigned char byte = static_cast<unsigned char>(name[used++]);
        size_t drop = byte & 0x7f;
        while ((byte & 0x80) != 0) {
          if (used >= room) return bad("truncated entry");
          byte = static_cast<unsigned char>(name[used++]);
          drop = ((drop + 1) << 7) | (byte & 0x7f);
        }
        const void* nul = std::memchr(name + used, '\0', room - used);
        if (nul == nullptr || drop > previous.size()) return bad("bad path in entry");
        const size_t suffix = static_cast<size_t>(static_cast<const char*>(nul) - (name + used));
        previous.resize(previous.size() - drop);
        previous.append(name + used, suffix);
        index.paths_.push_back(previous);
        entry.path = index.paths_.back();
        at += header + used + suffix + 1;
      } else {
        const void* nul = std::memchr(name, '\0', room);
        if (nul == nullptr) return bad("bad path in entry");
        const size_t length = static_cast<size_t>(static_cast<const char*>(nul) - name);
        if ((entry.flags & kNameLengthMask) != std::min<size_t>(length, kNameLengthMask)) {
          return bad("path length mismatch");
        }
        entry.path = std::string_view(name, length);
        at += (header + length + 8) & ~size_t{7};  // NUL-padded to a multiple of 8
      }
      index.entries_.push_back(entry);
    }
    // Extensions: optional ones (an upper-case first letter) are caches; of them only the
    // cache tree's root is read. A mandatory one (a split or sparse index) changes what the
    // entries mean.
    while (at + 8 <= end) {
      const char* signature = d.data() + at;
      const uint32_t length = Be32(signature + 4);
      if (signature[0] < 'A' || signature[0] > 'Z') {
        return bad("mandatory extension '" + std::string(signature, 4) + "'");
      }
      if (length > end - at - 8) return bad("truncated extension");
      if (std::string_view(signature, 4) == "TREE") {
        index.root_tree_ = RootTree(std::string_view(signature + 8, length));
      }
      at += 8 + length;
    }
    if (at != end) return bad("trailing bytes");
    return Ok();
  };
  // A damaged index is named as such, whatever the parse made of it.
  Status parsed = parse();
  if (!checksum_matches.get()) {
    return bad("checksum mismatch (a SHA-256 repository, or a damaged index)");
  }
  if (!parsed) return parsed.error();
  return index;
}

}  // namespace hoist
