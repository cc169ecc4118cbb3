#include "stages/injected_args.h"

#include <algorithm>

#include "docker/dockerfile.h"

namespace hoist {

InjectedArgs InjectedArgValues(const std::vector<std::string>& dockerfiles,
                               const std::string& commit, const std::string& tag) {
  InjectedArgs injected(dockerfiles.size());
  for (size_t p = 0; p < dockerfiles.size(); ++p) {
    for (const auto& name : DeclaredArgs(dockerfiles[p])) {
      if (std::find(kInjectedArgNames.begin(), kInjectedArgNames.end(), name) ==
          kInjectedArgNames.end()) {
        continue;
      }
      injected[p][name] = name == "COMMIT_TAG" ? tag : commit;
    }
  }
  return injected;
}

}  // namespace hoist
