#include "manifest/manifest.h"

namespace hoist {

const Project* Manifest::Find(const std::string& name) const {
  int index = IndexOf(name);
  return index < 0 ? nullptr : &projects[static_cast<size_t>(index)];
}

int Manifest::IndexOf(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

std::vector<std::string> Manifest::Names() const {
  std::vector<std::string> names;
  names.reserve(projects.size());
  for (const auto& project : projects) names.push_back(project.name);
  return names;
}

void Manifest::Reindex() {
  index_.clear();
  for (size_t i = 0; i < projects.size(); ++i) index_[projects[i].name] = static_cast<int>(i);
}

}  // namespace hoist
