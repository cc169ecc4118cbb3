#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "manifest/diagnostic.h"

namespace hoist {

/// A test job declared in the manifest (`tests:`): a command run in the project's image, or on
/// the host in projectDir.
/// The longest test job name: its pass marker passed-<hash>-<job> must fit a 128-character tag.
inline constexpr size_t kMaxTestJobName = 128 - 7 - 64 - 1;

struct TestJob {
  std::string name;
  std::vector<std::string> command;  ///< argv; a string in the manifest becomes sh -c STRING
  bool host = false;
  /// A compose job: this docker compose file (relative to projectDir) runs the project's image
  /// and its runDependencies' until `service` exits; "" for a command job.
  std::string compose;
  std::string service;  ///< compose: whose exit status counts ("" = project's name)
  std::vector<std::string> environment;  ///< compose: KEY=VALUE for the file's ${…}
};

/// One step of a project's deploy (`deploy:` list, in order).
struct DeployStep {
  std::string type;                  ///< "registry", "npm", "terraform" or "command"
  std::vector<std::string> command;  ///< command: argv (a string becomes sh -c STRING)
  std::string registry;              ///< registry: HOST[:PORT][/PREFIX]; npm: registry URL
  bool only_tagged = false;          ///< registry: only on tagged commits
  std::string dir;                   ///< terraform, npm: directory relative to projectDir
  std::string access;                ///< npm: "public" (default) or "restricted"
  std::string from_image;            ///< npm: publish this directory of the built image
  std::vector<std::string> taints;   ///< terraform: resources to taint before apply
  std::string dist_tag;   ///< npm: the dist-tag of a release tag without a pre-release word
  std::string pin_scope;  ///< npm: dependencies named so ("@aztec/") get the published version
  int line = 0;
};

/// One project of the manifest, with every default applied and every path made
/// repository-relative and normalised ("." is the repository root).
struct Project {
  std::string name;
  int line = 0;  ///< where the project is defined in the manifest (1-based)

  std::string build_dir;        ///< docker build context
  std::string project_dir;      ///< the project's own directory (defaults to build_dir)
  std::string dockerfile;       ///< as written, relative to build_dir
  std::string dockerfile_path;  ///< repository-relative

  std::vector<std::string> rebuild_patterns;  ///< own patterns, in manifest order
  std::string rebuild_patterns_file;          ///< repository-relative, when given as a file name

  std::vector<std::string> dependencies;  ///< direct build dependencies, manifest order, unique
  std::string dependencies_script;        ///< repository-relative, when given as an executable
  std::vector<std::string> run_dependencies;

  std::string multiarch;                          ///< "", "host" or "buildx"
  std::map<std::string, std::string> build_args;  ///< hoist extension: extra docker build args
  std::vector<TestJob> tests;                     ///< hoist extension: declared test jobs
  std::vector<DeployStep> deploy;                 ///< hoist extension: deploy steps
  /// hoist extension: where its build runs when `hoist build --remote …` is used: "local",
  /// "pool" (hoist.yml remotes), an ssh:// URL or "spot:CPUS"; "" for the --remote default.
  std::string remote;
};

/// The loaded manifest: its projects in the order they appear, and what was found on the way.
struct Manifest {
  std::string file;       ///< the manifest path as shown in messages
  std::string repo_root;  ///< absolute path of the repository the paths are relative to
  std::vector<Project> projects;
  std::vector<Diagnostic> diagnostics;  ///< warnings (errors make loading fail)

  /// The project called `name`, or nullptr.
  const Project* Find(const std::string& name) const;
  /// Position of `name` in `projects`, or -1.
  int IndexOf(const std::string& name) const;
  /// All project names, in manifest order.
  std::vector<std::string> Names() const;

  void Reindex();

 private:
  std::unordered_map<std::string, int> index_;
};

}  // namespace hoist
