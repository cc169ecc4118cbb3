#pragma once
// What a content hash was made of, kept in the store beside the image (the built marker), so
// that a later build can say what changed since without the earlier commit at hand.

#include <optional>
#include <string>

#include "source/content_hash.h"

namespace hoist {

/// HashInputs as compact JSON text: {"files": ["<mode> <oid> <path>", …], "buildDir", …,
/// "dependencies": {name: hash}}.
std::string RecordedInputsJson(const HashInputs& inputs);
/// The most recorded-input text read back (a project of a million files is about 80 MiB).
inline constexpr size_t kMaxRecordedInputs = 128u << 20;
/// 64 lowercase hex digits, as every content hash is.
bool IsContentHash(const std::string& text);
/// RecordedInputsJson's text read back; nullopt when it is not such an object (a marker of an
/// older hoist, or one anybody with push rights wrote).
std::optional<HashInputs> ReadRecordedInputs(const std::string& json);

}  // namespace hoist
