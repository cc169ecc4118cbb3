#include "source/pattern_index.h"

#include <algorithm>
#include <unordered_map>

#include "util/text.h"

namespace hoist {
namespace {

// The DFA of a set of a few thousand patterns fits easily; this bounds pathological ones.
constexpr int64_t kMatcherMemory = 96 << 20;

void SortUnique(std::vector<int>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

Expected<PatternIndex> PatternIndex::Build(const Manifest& manifest, const DependencyGraph& graph) {
  PatternIndex index;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMatcherMemory);
  index.set_ = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  std::unordered_map<std::string, int> ids;
  const size_t n = manifest.projects.size();
  index.own_.resize(n);
  for (size_t p = 0; p < n; ++p) {
    for (const auto& pattern : manifest.projects[p].rebuild_patterns) {
      auto [it, added] = ids.emplace(pattern, static_cast<int>(index.patterns_.size()));
      if (added) {
        std::string error;
        if (index.set_->Add(pattern, &error) != it->second) {
          return Error{"project '" + manifest.projects[p].name + "', rebuild pattern '" +
                       Elided(pattern) + "': " + error};
        }
        index.patterns_.push_back(pattern);
      }
      index.own_[p].push_back(it->second);
    }
    SortUnique(index.own_[p]);
  }
  if (!index.set_->Compile()) return Error{"the rebuild patterns are too large to compile"};

  index.transitive_.resize(n);
  index.owners_.resize(index.patterns_.size());
  index.transitive_owners_.resize(index.patterns_.size());
  for (size_t p = 0; p < n; ++p) {
    auto& all = index.transitive_[p];
    all = index.own_[p];
    for (int d : graph.TransitiveDependencies(static_cast<int>(p))) {
      all.insert(all.end(), index.own_[d].begin(), index.own_[d].end());
    }
    SortUnique(all);
    for (int id : index.own_[p]) index.owners_[id].push_back(static_cast<int>(p));
    for (int id : all) index.transitive_owners_[id].push_back(static_cast<int>(p));
  }
  return index;
}

bool PatternIndex::Match(std::string_view path, std::vector<int>* matched) const {
  matched->clear();
  if (patterns_.empty()) return true;
  RE2::Set::ErrorInfo error;
  if (!set_->Match(path, matched, &error)) {
    return error.kind == RE2::Set::kNoError;
  }
  std::sort(matched->begin(), matched->end());
  return true;
}

}  // namespace hoist
