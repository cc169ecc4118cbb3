#pragma once

#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/dependency_graph.h"
#include "manifest/manifest.h"
#include "util/expected.h"

namespace hoist {

/// Every rebuild pattern of a manifest compiled into one RE2::Set, so a path is matched
/// against all projects at once, plus which projects own each pattern.
class PatternIndex {
 public:
  static Expected<PatternIndex> Build(const Manifest& manifest, const DependencyGraph& graph);

  /// Ids of the patterns that match `path` (unanchored search), sorted, into `matched`.
  /// False when the matcher ran out of memory (then `matched` is unusable).
  bool Match(std::string_view path, std::vector<int>* matched) const;

  size_t pattern_count() const { return patterns_.size(); }
  const std::string& pattern(int id) const { return patterns_[id]; }
  /// Patterns the project declares itself.
  const std::vector<int>& OwnPatterns(int project) const { return own_[project]; }
  /// Patterns of the project and of all its transitive dependencies (the seed's union).
  const std::vector<int>& TransitivePatterns(int project) const { return transitive_[project]; }
  /// Projects that declare pattern `id` themselves.
  const std::vector<int>& Owners(int id) const { return owners_[id]; }
  /// Projects whose transitive union holds pattern `id`.
  const std::vector<int>& TransitiveOwners(int id) const { return transitive_owners_[id]; }

 private:
  std::vector<std::string> patterns_;
  std::unique_ptr<RE2::Set> set_;
  std::vector<std::vector<int>> own_, transitive_, owners_, transitive_owners_;
};

}  // namespace hoist
