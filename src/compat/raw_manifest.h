#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// A manifest read as the Aztec build system's scripts read it: through jq or yq, value by
/// value, with no validation and no defaults beyond what each query spells out. Its answers
/// are what `jq -r` / `yq -r` print.
class RawManifest {
 public:
  /// Loads `path`; `yaml` selects yq's type names ("!!str") over jq's ("string").
  static Expected<RawManifest> Load(const std::string& path, bool yaml);

  enum class Type { kNull, kString, kList, kOther };

  /// True when the manifest has a top-level key `project` (jq/yq `has("P")`).
  bool Has(const std::string& project) const;
  /// The project names, in the order the file gives them (a name defined twice, once).
  std::vector<std::string> Projects() const;
  /// The type of `.P.F` (a field never given is null).
  Type TypeOf(const std::string& project, const std::string& field) const;
  /// The type as the era's tool names it: jq "string", "array"…; yq "!!str", "!!seq"….
  std::string TypeName(const std::string& project, const std::string& field) const;
  /// `.P.F // "fallback"` as `-r` prints it ("null" for a null without fallback).
  std::string Text(const std::string& project, const std::string& field,
                   const char* fallback = nullptr) const;
  /// `.P.F // [] | .[]`: the items of a list, one per line as printed; nothing otherwise.
  std::vector<std::string> Items(const std::string& project, const std::string& field) const;
  /// `.P.run.RUN.dependencies // [] | .[]`.
  std::vector<std::string> RunItems(const std::string& project, const std::string& run) const;

  bool yaml() const { return yaml_; }

  struct Node;  // the parsed document, shared

 private:
  RawManifest() = default;
  std::shared_ptr<const Node> root_;
  bool yaml_ = false;
};

/// bash's word splitting of an unquoted $(...): the words of `text`, split at blanks and
/// newlines.
std::vector<std::string> ShellWords(const std::string& text);

}  // namespace hoist
