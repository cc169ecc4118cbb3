#include "cli/project_json.h"

namespace hoist {

nlohmann::json ProjectToJson(const Project& project) {
  nlohmann::json out = {
      {"project", project.name},
      {"buildDir", project.build_dir},
      {"projectDir", project.project_dir},
      {"dockerfile", project.dockerfile_path},
      {"rebuildPatterns", project.rebuild_patterns},
      {"dependencies", project.dependencies},
      {"runDependencies", project.run_dependencies},
      {"multiarch",
       project.multiarch.empty() ? nlohmann::json(false) : nlohmann::json(project.multiarch)}};
  if (!project.rebuild_patterns_file.empty()) {
    out["rebuildPatternsFile"] = project.rebuild_patterns_file;
  }
  if (!project.dependencies_script.empty()) out["dependenciesScript"] = project.dependencies_script;
  if (!project.build_args.empty()) out["buildArgs"] = project.build_args;
  return out;
}

}  // namespace hoist
