#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hoist {

/// The string `key` of `object`, or `fallback` when `object` is not an object or the field is
/// absent or not a string. For JSON from outside hoist (a registry, a hand-edited config, a
/// credential helper): nlohmann's value() throws on a field of another type, which on a
/// worker thread ends the process.
inline std::string JsonString(const nlohmann::json& object, const char* key,
                              const std::string& fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace hoist
