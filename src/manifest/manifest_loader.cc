#include "manifest/manifest_loader.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_set>

#include "manifest/rebuild_pattern.h"
#include "util/edit_distance.h"
#include "util/files.h"
#include "util/repo_path.h"
#include "util/repository_name.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kManifestNames = {"build_manifest.yml", "build_manifest.yaml",
                                                 "build_manifest.json"};

// The seed's keys, then hoist's own additions (their meaning comes with later commands).
const std::vector<std::string> kProjectKeys = {
    "buildDir",  "projectDir", "dockerfile", "rebuildPatterns", "dependencies", "runDependencies",
    "multiarch", "buildArgs",  "tests",      "deploy",          "remote"};

std::string NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "undefined";
  }
}

// A manifest or pattern file larger than this is not one (a device such as /dev/zero, a
// misnamed dump): refused instead of read until memory runs out. The largest real manifest
// known (aztec-packages 2024) is under 40 KiB.
constexpr size_t kMaxManifestBytes = 16 << 20;
// A dependency script prints a few names and exits; one that hangs or floods is killed, so no
// command waits on it forever or runs out of memory.
// HOIST_SCRIPT_TIMEOUT (seconds) sets another bound, for a slow machine.
constexpr int kDependencyScriptSeconds = 30;
constexpr size_t kDependencyScriptOutput = 1 << 20;

int ScriptTimeout() {
  const char* text = std::getenv("HOIST_SCRIPT_TIMEOUT");
  int seconds = 0;
  if (!text || std::from_chars(text, text + std::strlen(text), seconds).ec != std::errc() ||
      seconds < 1) {
    return kDependencyScriptSeconds;
  }
  return seconds;
}

std::optional<std::string> ReadSmallFile(const fs::path& path, std::string* why = nullptr) {
  auto text = hoist::ReadFile(path.string(), kMaxManifestBytes);
  if (!text) {
    if (why) *why = text.error().message;
    return std::nullopt;
  }
  return std::move(*text);
}

/// Builds one manifest from a parsed document, collecting every finding.
class ManifestBuilder {
 public:
  ManifestBuilder(std::string file, std::string repo_root)
      : file_(std::move(file)), repo_root_(std::move(repo_root)) {}

  ManifestLoadResult Build(const YAML::Node& root) {
    if (!root.IsMap()) {
      Report(Severity::kError, root,
             "the manifest must be a mapping of project names to "
             "project settings, but it is " +
                 NodeKind(root),
             "start the file with a project name followed by ':' (YAML) or '{' (JSON)");
      return Finish();
    }
    // Duplicate project names: the last definition wins (as yq does), in the first one's place.
    // (yaml-cpp's Node::operator= writes through to the tree, so nodes are never reassigned.)
    std::vector<std::optional<std::pair<YAML::Node, YAML::Node>>> entries;
    std::map<std::string, size_t> position;
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string name = it->first.Scalar();
      auto found = position.find(name);
      if (found != position.end()) {
        const YAML::Node& earlier = entries[found->second]->first;
        Report(Severity::kWarning, it->first,
               "project '" + name + "' is defined twice (lines " +
                   std::to_string(earlier.Mark().line + 1) + " and " +
                   std::to_string(it->first.Mark().line + 1) + "); the last definition wins",
               "remove one of the two definitions");
        entries[found->second].emplace(it->first, it->second);
      } else {
        position[name] = entries.size();
        entries.emplace_back(std::in_place, it->first, it->second);
      }
    }
    for (const auto& entry : entries) AddProject(entry->first, entry->second);
    manifest_.Reindex();
    CheckReferences();
    return Finish();
  }

  void Report(Severity severity, const YAML::Node& node, std::string message,
              std::string hint = "") {
    int line = 0, column = 0;
    if (node.IsDefined() && node.Mark().line >= 0) {
      line = node.Mark().line + 1;
      column = node.Mark().column + 1;
    }
    Report(severity, file_, line, column, std::move(message), std::move(hint));
  }

  void Report(Severity severity, const std::string& file, int line, int column, std::string message,
              std::string hint = "") {
    diagnostics_.push_back({severity, file, line, column, std::move(message), std::move(hint)});
  }

 private:
  ManifestLoadResult Finish() {
    ManifestLoadResult result;
    result.diagnostics = diagnostics_;
    if (!HasErrors(diagnostics_)) {
      manifest_.file = file_;
      manifest_.repo_root = repo_root_;
      manifest_.diagnostics = diagnostics_;
      result.manifest = std::move(manifest_);
    }
    return result;
  }

  /// A repository-relative path from a manifest value, or nullopt after reporting why not.
  std::optional<std::string> RepoPath(const YAML::Node& node, const std::string& base,
                                      const std::string& what, const std::string& project) {
    return RepoPath(node, node.Scalar(), base, what, project);
  }

  std::optional<std::string> RepoPath(const YAML::Node& node, const std::string& value,
                                      const std::string& base, const std::string& what,
                                      const std::string& project) {
    auto path = JoinRepoPath(base, value);
    if (!path) {
      bool absolute = !value.empty() && value.front() == '/';
      Report(Severity::kError, node,
             "project '" + project + "': " + what + " '" + value + "' " +
                 (absolute ? "is an absolute path" : "points outside the repository") +
                 (base == "." || base.empty() ? "" : " (relative to '" + base + "')"),
             "paths in the manifest are relative to the repository root (the dockerfile and "
             "dependency script to buildDir, a pattern file to projectDir) and must stay "
             "inside it");
      return path;
    }
    // git stores a symlink as the name of its target, not as what it points to: a buildDir or
    // Dockerfile reached through one would be hashed as that name while its content changes.
    std::string prefix;
    for (size_t start = 0; !repo_root_.empty() && start <= path->size() && *path != ".";) {
      size_t slash = path->find('/', start);
      if (slash == std::string::npos) slash = path->size();
      prefix = path->substr(0, slash);
      std::error_code ignored;
      const fs::path on_disk = fs::path(repo_root_) / prefix;
      if (fs::is_symlink(fs::symlink_status(on_disk, ignored))) {
        Report(Severity::kError, node,
               "project '" + project + "': " + what + " '" + value +
                   "' goes through the symlink '" + prefix + "' (-> " +
                   fs::read_symlink(on_disk, ignored).string() + ")",
               "git stores a symlink as the name it points to, so hoist would hash that name "
               "while the files behind it change; name the real path in the manifest");
        return std::nullopt;
      }
      start = slash + 1;
    }
    return path;
  }

  /// A true/false field as YAML writes it (true, True, TRUE, yes, on, and their negatives), or
  /// `fallback` when absent; anything else is an error. Comparing with "true" read `True` and
  /// `yes` as false.
  bool Boolean(const YAML::Node& node, const std::string& key, const std::string& project,
               bool fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    bool value = fallback;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      Report(Severity::kError, node,
             "project '" + project + "': " + key + " must be true or false, not '" +
                 (node.IsScalar() ? node.Scalar() : std::string("a list or map")) + "'",
             "write " + key + ": true (or false)");
      return fallback;
    }
    return value;
  }

  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& key,
                                    const std::string& project, bool allow_empty = false) {
    if (!node.IsScalar() || (!allow_empty && node.Scalar().empty())) {
      Report(Severity::kError, node,
             "project '" + project + "': '" + key + "' must be a non-empty string, but it is " +
                 (node.IsScalar() ? "an empty string" : NodeKind(node)));
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::vector<std::pair<std::string, YAML::Node>> NameList(const YAML::Node& node,
                                                           const std::string& key,
                                                           const std::string& project) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Report(Severity::kError, node,
             "project '" + project + "': '" + key +
                 "' must be a list of project names, but it is " + NodeKind(node));
      return out;
    }
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        Report(Severity::kError, item,
               "project '" + project + "': every entry of '" + key +
                   "' must be a project name, but one is " + NodeKind(item));
        continue;
      }
      if (item.Scalar().empty()) {
        Report(Severity::kWarning, item,
               "project '" + project + "': empty project name in '" + key + "' is ignored",
               "remove the \"\" entry");
        continue;
      }
      out.push_back({item.Scalar(), item});
    }
    return out;
  }

  void AddProject(const YAML::Node& key, const YAML::Node& value) {
    Project project;
    key_ = &key;
    project.name = key.Scalar();
    project.line = key.Mark().line + 1;
    const std::string& name = project.name;
    if (!key.IsScalar() || name.empty()) {
      Report(Severity::kError, key, "a project name must be a non-empty string");
      return;
    }
    if (!IsValidRepositoryName(name)) {
      std::string suggestion = SuggestRepositoryName(name);
      Report(Severity::kError, key,
             "project name '" + name + "' is not a valid registry repository name",
             "use lowercase letters and digits separated by '.', '_', '-' or '/'" +
                 (suggestion.empty() ? std::string() : ", e.g. '" + suggestion + "'"));
    }
    if (!value.IsMap()) {
      Report(Severity::kError, value.IsNull() ? key : value,
             "project '" + name +
                 "' must be a mapping of settings (buildDir, dockerfile, ...), "
                 "but it is " +
                 NodeKind(value),
             "give it at least 'buildDir: <directory>'");
      return;
    }

    std::map<std::string, YAML::Node> fields;
    std::map<std::string, int> field_lines;
    for (auto it = value.begin(); it != value.end(); ++it) {
      std::string field = it->first.Scalar();
      if (fields.count(field)) {
        Report(Severity::kWarning, it->first,
               "project '" + name + "': '" + field + "' is set twice (lines " +
                   std::to_string(field_lines[field]) + " and " +
                   std::to_string(it->first.Mark().line + 1) + "); the last one wins");
      }
      fields.erase(field);
      fields.emplace(field, it->second);
      field_lines[field] = it->first.Mark().line + 1;
      if (std::find(kProjectKeys.begin(), kProjectKeys.end(), field) == kProjectKeys.end()) {
        std::string close = ClosestName(field, kProjectKeys);
        Report(Severity::kWarning, it->first,
               "project '" + name + "': unknown key '" + field + "' is ignored",
               close.empty() ? "known keys: buildDir, projectDir, dockerfile, rebuildPatterns, "
                               "dependencies, runDependencies, multiarch, buildArgs"
                             : "did you mean '" + close + "'?");
      }
    }
    auto field = [&](const std::string& field_name) -> YAML::Node {
      auto it = fields.find(field_name);
      return it == fields.end() ? YAML::Node(YAML::NodeType::Undefined) : it->second;
    };

    YAML::Node build_dir = field("buildDir");
    if (!build_dir.IsDefined()) {
      Report(Severity::kError, key, "project '" + name + "' has no 'buildDir'",
             "add 'buildDir: <directory>' (the docker build context, relative to the "
             "repository root)");
      return;
    }
    auto build_dir_text = Scalar(build_dir, "buildDir", name);
    if (!build_dir_text) return;
    auto build_path = RepoPath(build_dir, ".", "buildDir", name);
    if (!build_path) return;
    project.build_dir = *build_path;
    project.project_dir = project.build_dir;

    raw_project_dir_ = *build_dir_text;
    if (YAML::Node node = field("projectDir"); node.IsDefined()) {
      if (auto text = Scalar(node, "projectDir", name)) {
        raw_project_dir_ = *text;
        if (auto path = RepoPath(node, ".", "projectDir", name)) project.project_dir = *path;
      }
    }
    project.dockerfile = "Dockerfile";
    YAML::Node dockerfile = field("dockerfile");
    if (dockerfile.IsDefined()) {
      if (auto text = Scalar(dockerfile, "dockerfile", name)) project.dockerfile = *text;
    }
    ResolveDockerfile(project, dockerfile.IsDefined() ? dockerfile : key);

    LoadRebuildPatterns(project, field("rebuildPatterns"));
    LoadDependencies(project, field("dependencies"), key);
    for (auto& [dep, node] : NameList(field("runDependencies"), "runDependencies", name)) {
      (void)node;
      if (std::find(project.run_dependencies.begin(), project.run_dependencies.end(), dep) ==
          project.run_dependencies.end()) {
        project.run_dependencies.push_back(dep);
      }
      run_dependency_nodes_.emplace(name + '\n' + dep, node);
    }

    if (YAML::Node node = field("multiarch"); node.IsDefined() && !node.IsNull()) {
      auto text = Scalar(node, "multiarch", name);
      if (text && *text != "host" && *text != "buildx") {
        Report(Severity::kError, node,
               "project '" + name + "': multiarch must be 'host' or 'buildx', not '" + *text + "'",
               "'host' tags one image per build machine architecture; 'buildx' builds one "
               "multi-platform image");
      } else if (text) {
        project.multiarch = *text;
      }
    }

    if (YAML::Node node = field("buildArgs"); node.IsDefined() && !node.IsNull()) {
      if (!node.IsMap()) {
        Report(Severity::kError, node,
               "project '" + name + "': 'buildArgs' must be a mapping of NAME: value, but it is " +
                   NodeKind(node));
      } else {
        for (auto it = node.begin(); it != node.end(); ++it) {
          if (!it->second.IsScalar()) {
            Report(Severity::kError, it->second,
                   "project '" + name + "': build arg '" + it->first.Scalar() +
                       "' must be a single value");
            continue;
          }
          project.build_args[it->first.Scalar()] = it->second.Scalar();
        }
      }
    }

    LoadTests(project, field("tests"));
    LoadDeploy(project, field("deploy"));
    LoadRemote(project, field("remote"));
    dependency_nodes_.emplace(name, field("dependencies"));
    manifest_.projects.push_back(std::move(project));
  }

  /// A compose job's fields: {compose: FILE, service: NAME, environment: {KEY: VALUE}}.
  bool LoadComposeJob(const Project& project, const YAML::Node& spec, TestJob& job) {
    const std::string where = "project '" + project.name + "': test job '" + job.name + "'";
    const YAML::Node file = spec["compose"];
    if (!file.IsScalar() || file.Scalar().empty()) {
      Report(Severity::kError, file, where + ": 'compose' must name a docker compose file",
             "e.g. compose: docker-compose.yml (relative to the project's directory)");
      return false;
    }
    job.compose = file.Scalar();
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key != "compose" && key != "service" && key != "environment" && key != "command" &&
          key != "host") {
        Report(Severity::kError, it->first, where + ": unknown field '" + key + "'",
               "a compose job has compose, service and environment");
        return false;
      }
    }
    for (const char* other : {"command", "host"}) {
      if (spec[other].IsDefined()) {
        Report(Severity::kError, spec[other],
               where + ": a compose job has no '" + other + "'; its services run on the engine",
               "give either compose: or command:");
        return false;
      }
    }
    if (const YAML::Node service = spec["service"]; service.IsDefined()) {
      if (!service.IsScalar() || service.Scalar().empty()) {
        Report(Severity::kError, service, where + ": 'service' must name a service of the file");
        return false;
      }
      job.service = service.Scalar();
    }
    if (const YAML::Node vars = spec["environment"]; vars.IsDefined() && !vars.IsNull()) {
      static const RE2 kName("[A-Za-z_][A-Za-z0-9_]*");
      if (!vars.IsMap()) {
        Report(Severity::kError, vars, where + ": 'environment' must be a mapping",
               "e.g. environment: {TEST: e2e_token.test.ts}");
        return false;
      }
      for (auto it = vars.begin(); it != vars.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (!RE2::FullMatch(key, kName) || !it->second.IsScalar()) {
          Report(Severity::kError, it->first,
                 where + ": environment '" + key + "' must be a variable name with a text value");
          return false;
        }
        job.environment.push_back(key + "=" + it->second.Scalar());
      }
    }
    return true;
  }

  /// tests: {JOB: "shell command" | [argv…] | {command: …, host: bool} | {compose: FILE, …}}
  void LoadTests(Project& project, const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string hint =
        "write tests as a mapping of job names to a command, e.g. "
        "'tests: {unit: \"make test\"}' or {command: [...], host: true}";
    if (!node.IsMap()) {
      Report(Severity::kError, node,
             "project '" + project.name + "': 'tests' must be a mapping of job names, but it is " +
                 NodeKind(node),
             hint);
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      TestJob job;
      job.name = it->first.Scalar();
      if (!IsValidRepositoryName(job.name) || job.name.find('/') != std::string::npos) {
        Report(Severity::kError, it->first,
               "project '" + project.name + "': test job name '" + job.name +
                   "' must be lowercase letters, digits, '.', '_' or '-' (it becomes a tag)");
        continue;
      }
      if (job.name.size() > kMaxTestJobName) {
        Report(Severity::kError, it->first,
               "project '" + project.name + "': test job name '" + job.name + "' is " +
                   std::to_string(job.name.size()) + " characters; at most " +
                   std::to_string(kMaxTestJobName) + " fit in its pass marker's tag",
               "shorten it");
        continue;
      }
      // (Nodes are never reassigned: yaml-cpp's operator= writes through to the tree.)
      const YAML::Node spec = it->second;
      if (spec.IsMap() && spec["compose"].IsDefined()) {
        if (LoadComposeJob(project, spec, job)) project.tests.push_back(std::move(job));
        continue;
      }
      const YAML::Node command = spec.IsMap() ? spec["command"] : spec;
      if (spec.IsMap()) job.host = Boolean(spec["host"], "host", project.name, false);
      // A map without `command` gives an invalid node, which throws if asked its type.
      if (!command.IsDefined()) {
        Report(Severity::kError, spec,
               "project '" + project.name + "': test job '" + job.name + "' has no command", hint);
        continue;
      }
      if (command.IsScalar() && !command.Scalar().empty()) {
        job.command = {"sh", "-c", command.Scalar()};
      } else if (command.IsSequence() && command.size() > 0) {
        for (const auto& word : command) job.command.push_back(word.Scalar());
      } else {
        Report(Severity::kError, spec,
               "project '" + project.name + "': test job '" + job.name + "' has no command", hint);
        continue;
      }
      project.tests.push_back(std::move(job));
    }
  }

  /// remote: local | pool | ssh://[USER@]HOST[:PORT][/SOCKET] | spot:CPUS
  void LoadRemote(Project& project, const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;
    static const RE2 kRemote(R"(local|pool|spot:[1-9]\d{0,3}|ssh://\S+)");
    if (!node.IsScalar() || !RE2::FullMatch(node.Scalar(), kRemote)) {
      Report(Severity::kError, node,
             "project '" + project.name + "': 'remote' must be local, pool, " +
                 "ssh://[USER@]HOST[:PORT] or spot:CPUS",
             "e.g. remote: spot:64 for a project that needs a big machine");
      return;
    }
    project.remote = node.Scalar();
  }

  /// deploy: [{type: registry|npm|terraform|command, …}]
  void LoadDeploy(Project& project, const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsSequence()) {
      Report(Severity::kError, node,
             "project '" + project.name + "': 'deploy' must be a list of steps, but it is " +
                 NodeKind(node));
      return;
    }
    const std::map<std::string, std::vector<std::string>> step_keys = {
        {"registry", {"type", "registry", "onlyTagged"}},
        {"npm", {"type", "dir", "registry", "access", "fromImage", "distTag", "pinScope"}},
        {"terraform", {"type", "dir", "taints"}},
        {"command", {"type", "command"}}};
    const std::vector<std::string> types = {"registry", "npm", "terraform", "command"};
    for (const auto& item : node) {
      if (!item.IsMap() || !item["type"] || !item["type"].IsScalar()) {
        Report(Severity::kError, item,
               "project '" + project.name + "': every deploy step needs a 'type' (" +
                   "registry, npm, terraform or command)");
        continue;
      }
      DeployStep step;
      step.type = item["type"].Scalar();
      step.line = item.Mark().line + 1;
      if (std::find(types.begin(), types.end(), step.type) == types.end()) {
        std::string close = ClosestName(step.type, types);
        Report(Severity::kError, item["type"],
               "project '" + project.name + "': unknown deploy step type '" + step.type + "'",
               close.empty() ? "use registry, npm, terraform or command"
                             : "did you mean '" + close + "'?");
        continue;
      }
      // A misspelt key of a deploy step (onlytagged) would change what is deployed: an error.
      const auto& keys = step_keys.at(step.type);
      bool bad_key = false;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        std::string close = ClosestName(key, keys);
        std::string known;
        for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
        Report(Severity::kError, it->first,
               "project '" + project.name + "': a " + step.type + " deploy step has no key '" +
                   key + "'",
               close.empty() ? "its keys are " + known : "did you mean '" + close + "'?");
        bad_key = true;
      }
      if (bad_key) continue;
      auto scalar = [&](const char* key, const std::string& fallback) {
        return item[key] && item[key].IsScalar() ? item[key].Scalar() : fallback;
      };
      if (step.type == "command") {
        const YAML::Node command = item["command"];
        if (command && command.IsScalar() && !command.Scalar().empty()) {
          step.command = {"sh", "-c", command.Scalar()};
        } else if (command && command.IsSequence() && command.size() > 0) {
          for (const auto& word : command) step.command.push_back(word.Scalar());
        } else {
          Report(Severity::kError, item,
                 "project '" + project.name + "': a command deploy step needs 'command'");
          continue;
        }
      } else if (step.type == "registry") {
        if (!item["registry"] || !item["registry"].IsScalar()) {
          Report(Severity::kError, item,
                 "project '" + project.name +
                     "': a registry deploy step needs 'registry: " + "HOST[/PREFIX]'");
          continue;
        }
        step.registry = item["registry"].Scalar();
        step.only_tagged = Boolean(item["onlyTagged"], "onlyTagged", project.name, false);
      } else {
        step.dir = scalar("dir", step.type == "npm" ? "." : "terraform");
        if (!JoinRepoPath(project.project_dir, step.dir)) {
          Report(Severity::kError, item["dir"],
                 "project '" + project.name + "': " + step.type +
                     " dir points outside the repository");
          continue;
        }
        if (item["taints"] && item["taints"].IsSequence()) {
          for (const auto& taint : item["taints"]) step.taints.push_back(taint.Scalar());
        }
        if (step.type == "npm") {
          step.registry = scalar("registry", "");
          if (!step.registry.empty() && step.registry.rfind("http://", 0) != 0 &&
              step.registry.rfind("https://", 0) != 0) {
            Report(
                Severity::kError, item["registry"],
                "project '" + project.name + "': npm registry '" + step.registry + "' is not a URL",
                "write it as npm does, e.g. https://registry.npmjs.org/");
            continue;
          }
          step.from_image = scalar("fromImage", "");
          if (!step.from_image.empty() && step.from_image[0] != '/') {
            Report(Severity::kError, item["fromImage"],
                   "project '" + project.name + "': npm fromImage must be an absolute path in " +
                       "the image, not '" + step.from_image + "'",
                   "e.g. fromImage: /usr/src/packages/lib");
            continue;
          }
          step.dist_tag = scalar("distTag", "");
          step.pin_scope = scalar("pinScope", "");
          static const RE2 kDistTag(R"([A-Za-z][A-Za-z0-9._-]*)");
          if (item["distTag"] && !RE2::FullMatch(step.dist_tag, kDistTag)) {
            Report(Severity::kError, item["distTag"],
                   "project '" + project.name + "': npm distTag '" + step.dist_tag +
                       "' is not a dist-tag name (a letter, then letters, digits, '.', '_', '-')");
            continue;
          }
          step.access = scalar("access", "public");
          if (step.access != "public" && step.access != "restricted") {
            Report(Severity::kError, item["access"],
                   "project '" + project.name + "': npm access must be public or restricted, " +
                       "not '" + step.access + "'");
            continue;
          }
        }
      }
      project.deploy.push_back(std::move(step));
    }
  }

 public:
  /// Steps given outside the manifest, checked as the manifest's: each diagnostic an Error.
  Expected<std::vector<DeployStep>> DeploySteps(const Project& project, const YAML::Node& node) {
    Project copy = project;
    copy.deploy.clear();
    LoadDeploy(copy, node);
    std::string errors;
    for (const auto& d : diagnostics_) {
      if (d.severity != Severity::kError) continue;
      errors +=
          (errors.empty() ? "" : "; ") + d.message + (d.hint.empty() ? "" : " (" + d.hint + ")");
    }
    if (!errors.empty()) return Error{errors};
    return copy.deploy;
  }

 private:
  void CheckPattern(const Project& project, const std::string& pattern, const std::string& file,
                    int line, int column) {
    auto problem = CheckRebuildPattern(pattern);
    if (!problem) return;
    Report(problem->fatal ? Severity::kError : Severity::kWarning, file, line, column,
           "project '" + project.name + "', rebuild pattern '" + Elided(pattern) +
               "': " + problem->reason,
           problem->hint);
  }

  void LoadRebuildPatterns(Project& project, const YAML::Node& node) {
    // Like the seed (`$(cat file)`), a pattern file holds patterns separated by any whitespace;
    // unlike it, a line starting with '#' is a comment rather than three patterns.
    if (!node.IsDefined() || node.IsNull()) {
      project.rebuild_patterns.push_back(DefaultPattern(project, node.IsDefined() ? node : *key_));
      return;
    }
    if (node.IsSequence()) {
      for (const auto& item : node) {
        if (!item.IsScalar()) {
          Report(Severity::kError, item,
                 "project '" + project.name +
                     "': every rebuild pattern must be a string, but "
                     "one is " +
                     NodeKind(item));
          continue;
        }
        CheckPattern(project, item.Scalar(), file_, item.Mark().line + 1, item.Mark().column + 1);
        project.rebuild_patterns.push_back(item.Scalar());
      }
      return;
    }
    auto name = Scalar(node, "rebuildPatterns", project.name);
    if (!name) return;
    auto path = RepoPath(node, project.project_dir, "rebuild pattern file", project.name);
    if (!path) return;
    project.rebuild_patterns_file = *path;
    auto text = ReadSmallFile(fs::path(repo_root_) / *path);
    if (!text || fs::is_directory(fs::path(repo_root_) / *path)) {
      Report(Severity::kError, node,
             "project '" + project.name + "': rebuild pattern file '" + *path + "' does not exist",
             "create it with one regular expression per line, or give rebuildPatterns as a "
             "list (the file name is relative to projectDir '" +
                 project.project_dir + "')");
      return;
    }
    int line_number = 0;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t start = line.find_first_not_of(" \t");
      if (start == std::string::npos) continue;
      size_t end = line.find_last_not_of(" \t");
      line = line.substr(start, end - start + 1);
      if (line.front() == '#') continue;
      std::istringstream words(line);
      for (std::string word; words >> word;) {
        int column = static_cast<int>(start + line.find(word)) + 1;
        CheckPattern(project, word, *path, line_number, column);
        project.rebuild_patterns.push_back(word);
      }
    }
    if (project.rebuild_patterns.empty()) {
      Report(Severity::kWarning, node,
             "project '" + project.name + "': rebuild pattern file '" + *path +
                 "' holds no patterns, so no file change will rebuild it");
    }
  }

  /// The seed's default, "^<projectDir>/" from the manifest's own spelling of the directory
  /// (so "--compat aztec" hashes match), with a leading "./" and trailing '/' dropped.
  std::string DefaultPattern(const Project& project, const YAML::Node& where) {
    std::string dir = raw_project_dir_;
    while (dir.size() > 2 && dir.compare(0, 2, "./") == 0) dir.erase(0, 2);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (project.project_dir == ".") {
      Report(Severity::kWarning, where,
             "project '" + project.name +
                 "' lives at the repository root and has no "
                 "rebuildPatterns; the default pattern '^" +
                 dir +
                 "/' (the seed's) does not mean "
                 "'every file'",
             "give rebuildPatterns explicitly, e.g. ['^src/', '^Dockerfile$']");
    }
    // Regex characters of the directory name are escaped, so lib/x+y matches its own files.
    // Except '.': it also matches itself, and leaving it keeps the Aztec build system's text
    // for the common dotted names (yarn-project/aztec.js), which its scripts compare.
    std::string escaped;
    for (char c : dir) {
      if (std::string_view("\\^$|?*+()[]{}").find(c) != std::string_view::npos) escaped += '\\';
      escaped += c;
    }
    return "^" + escaped + "/";
  }

  /// The Dockerfile path. The seed read it relative to buildDir while manifests were JSON and
  /// relative to projectDir since its YAML era; manifests of both eras rely on their rule, so
  /// each format gets its era's rule, falling back to the other base when only that file exists.
  void ResolveDockerfile(Project& project, const YAML::Node& where) {
    bool yaml = !(file_.size() >= 5 && file_.compare(file_.size() - 5, 5, ".json") == 0);
    const std::string& primary = yaml ? project.project_dir : project.build_dir;
    const std::string& secondary = yaml ? project.build_dir : project.project_dir;
    auto first = RepoPath(where, project.dockerfile, primary, "dockerfile", project.name);
    if (!first) return;
    project.dockerfile_path = *first;
    if (primary == secondary) return;
    auto second = JoinRepoPath(secondary, project.dockerfile);
    std::error_code ec;
    if (second && !fs::exists(fs::path(repo_root_) / *first, ec) &&
        fs::exists(fs::path(repo_root_) / *second, ec)) {
      project.dockerfile_path = *second;
    }
  }

  void LoadDependencies(Project& project, const YAML::Node& node, const YAML::Node& key) {
    if (!node.IsDefined() || node.IsNull()) {
      // The Aztec build system's last JSON-era scripts (build-system 5960747) ran
      // <buildDir>/scripts/get_dependencies.sh for a project without dependencies; its YAML
      // scripts did not. Each format keeps its era's rule.
      bool json = file_.size() >= 5 && file_.compare(file_.size() - 5, 5, ".json") == 0;
      auto path = JoinRepoPath(project.build_dir, "scripts/get_dependencies.sh");
      std::error_code ec;
      if (json && path && fs::is_regular_file(fs::path(repo_root_) / *path, ec)) {
        auto perms = fs::status(fs::path(repo_root_) / *path, ec).permissions();
        if ((perms & fs::perms::owner_exec) == fs::perms::none) {
          // A file the scripts would have failed on, so not one a repository relies on.
          Report(Severity::kWarning, node.IsDefined() ? node : key,
                 "project '" + project.name + "' has no dependencies and '" + *path +
                     "' is not executable, so it is not run for them",
                 "chmod +x it (the Aztec build system's 2023-09 scripts ran it for such a "
                 "project), or give dependencies in the manifest");
        } else {
          RunDependencyScript(project, node.IsDefined() ? node : key, *path);
        }
      }
      return;
    }
    if (node.IsScalar()) {
      LoadDependencyScript(project, node);
      return;
    }
    for (auto& [dep, item] : NameList(node, "dependencies", project.name)) {
      (void)item;
      if (std::find(project.dependencies.begin(), project.dependencies.end(), dep) ==
          project.dependencies.end()) {
        project.dependencies.push_back(dep);
      }
    }
  }

  void LoadDependencyScript(Project& project, const YAML::Node& node) {
    auto text = Scalar(node, "dependencies", project.name);
    if (!text) return;
    auto path = RepoPath(node, project.build_dir, "dependency script", project.name);
    if (!path) return;
    RunDependencyScript(project, node, *path);
  }

  /// Runs the dependency script at repository path `path` (with the project's directory as
  /// its argument, from the repository root) and adds the names it prints.
  void RunDependencyScript(Project& project, const YAML::Node& node,
                           const std::string& script_path) {
    const std::string* path = &script_path;
    project.dependencies_script = *path;
    fs::path script = fs::path(repo_root_) / *path;
    std::error_code ec;
    if (!fs::is_regular_file(script, ec)) {
      Report(Severity::kError, node,
             "project '" + project.name + "': dependency script '" + *path + "' does not exist",
             "give dependencies as a list, or create the executable (relative to buildDir '" +
                 project.build_dir + "'); it prints one project name per line");
      return;
    }
    ProcessSpec spec;
    spec.argv = {script.string(), (fs::path(repo_root_) / project.project_dir).string()};
    spec.cwd = repo_root_;
    const int timeout = ScriptTimeout();
    spec.timeout_seconds = timeout;
    spec.max_output = kDependencyScriptOutput;
    auto result = RunProcess(spec);
    if (result && (result->timed_out || result->too_much)) {
      Report(Severity::kError, node,
             "project '" + project.name + "': dependency script '" + *path + "' " +
                 (result->timed_out ? "did not finish within " + std::to_string(timeout) +
                                          " s (set " + "HOIST_SCRIPT_TIMEOUT for more)"
                                    : "printed more than " +
                                          std::to_string(kDependencyScriptOutput >> 20) + " MiB") +
                 " and was killed",
             "it must print the project's dependencies, one name per line, and exit; or give "
             "dependencies as a list in the manifest");
      return;
    }
    if (!result || result->exit_code != 0) {
      std::string why = !result ? result.error().message
                                : "it exited with status " + std::to_string(result->exit_code);
      if (result && !result->stderr_text.empty()) {
        why += ": " + result->stderr_text.substr(0, result->stderr_text.find_last_not_of("\n") + 1);
      }
      Report(Severity::kError, node,
             "project '" + project.name + "': dependency script '" + *path + "' failed: " + why,
             "make it executable (chmod +x) and check that it runs from the repository root");
      return;
    }
    std::istringstream words(result->stdout_text);
    std::unordered_set<std::string> seen(project.dependencies.begin(), project.dependencies.end());
    for (std::string dep; words >> dep;) {
      if (seen.insert(dep).second) project.dependencies.push_back(dep);
    }
  }

  void CheckReferences() {
    auto names = manifest_.Names();
    auto check = [&](const Project& project, const std::string& dep, const YAML::Node& node,
                     const std::string& what) {
      if (manifest_.Find(dep)) return;
      std::string close = ClosestName(dep, names);
      std::string where = project.dependencies_script.empty() || what != "dependency"
                              ? std::string()
                              : " (printed by '" + project.dependencies_script + "')";
      Report(Severity::kError, node,
             "project '" + project.name + "': unknown " + what + " '" + dep + "'" + where,
             close.empty() ? "every dependency must be a project of this manifest"
                           : "did you mean '" + close + "'?");
    };
    for (const auto& project : manifest_.projects) {
      const YAML::Node& deps = dependency_nodes_[project.name];
      for (const auto& dep : project.dependencies) {
        std::optional<YAML::Node> where;
        if (deps.IsSequence()) {
          for (const auto& item : deps) {
            if (item.IsScalar() && item.Scalar() == dep && !where) where.emplace(item);
          }
        }
        check(project, dep, where ? *where : deps, "dependency");
      }
      for (const auto& dep : project.run_dependencies) {
        check(project, dep, run_dependency_nodes_[project.name + '\n' + dep], "run dependency");
      }
    }
  }

  std::string file_;
  std::string repo_root_;
  Manifest manifest_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, YAML::Node> dependency_nodes_;
  std::map<std::string, YAML::Node> run_dependency_nodes_;
  std::string raw_project_dir_;      // projectDir (or buildDir) as spelled in the manifest
  const YAML::Node* key_ = nullptr;  // the key of the project being added
};

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Line and column (1-based) of byte `offset` in `text`.
std::pair<int, int> LineColumn(const std::string& text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

Expected<std::vector<DeployStep>> ParseDeploySteps(const Project& project,
                                                   const std::vector<std::string>& steps) {
  std::string list;
  for (const auto& step : steps) list += (list.empty() ? "" : ", ") + step;
  YAML::Node node;
  try {
    node = YAML::Load("[" + list + "]");
  } catch (const YAML::Exception& e) {
    return Error{"deploy steps '" + list + "' are not YAML mappings: " + e.msg +
                 " (write each as in deploy:, e.g. '{type: npm, fromImage: /usr/src/lib}')"};
  }
  ManifestBuilder builder("--step", "");
  return builder.DeploySteps(project, node);
}

ManifestLoadResult ParseManifest(const std::string& text, const std::string& file,
                                 const std::string& repo_root) {
  ManifestBuilder builder(file, repo_root);
  ManifestLoadResult failed;
  if (EndsWith(file, ".json")) {
    // nlohmann/json is the strict JSON judge; yaml-cpp (JSON is YAML) then gives line numbers.
    try {
      if (!nlohmann::json::accept(text)) (void)nlohmann::json::parse(text).is_null();
    } catch (const nlohmann::json::out_of_range& e) {
      // A number too large for any type (found by fuzz/manifest_fuzz.cc: it was exit 134).
      failed.diagnostics.push_back({Severity::kError, file, 0, 0,
                                    std::string("malformed JSON: ") + e.what(),
                                    "a manifest's values are strings, lists and mappings"});
      return failed;
    } catch (const nlohmann::json::parse_error& e) {
      auto [line, column] = LineColumn(text, e.byte > 0 ? e.byte - 1 : 0);
      std::string what = e.what();
      size_t colon = what.find("syntax error");
      failed.diagnostics.push_back(
          {Severity::kError, file, line, column,
           "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon)),
           "check for a missing comma, quote or bracket near here"});
      return failed;
    }
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    failed.diagnostics.push_back(
        {Severity::kError, file, e.mark.line + 1, e.mark.column + 1,
         std::string("malformed ") + (EndsWith(file, ".json") ? "JSON" : "YAML") + ": " + e.msg,
         "check the indentation and quoting near here"});
    return failed;
  }
  return builder.Build(root);
}

ManifestLoadResult LoadManifest(const ManifestLocation& location) {
  ManifestLoadResult failed;
  fs::path path;
  if (!location.manifest_path.empty()) {
    path = location.manifest_path;
  } else {
    std::vector<fs::path> found;
    for (const auto& name : kManifestNames) {
      if (fs::exists(fs::path(location.repo_root) / name)) found.push_back(name);
    }
    if (found.empty()) {
      failed.diagnostics.push_back(
          {Severity::kError, location.repo_root, 0, 0,
           "no build_manifest.yml or build_manifest.json at the repository root",
           "create one (see README.md), or pass --manifest FILE"});
      return failed;
    }
    if (found.size() > 1) {
      failed.diagnostics.push_back({Severity::kError, found[0].string(), 0, 0,
                                    "both " + found[0].string() + " and " + found[1].string() +
                                        " exist; hoist will not guess which one is meant",
                                    "remove one, or pass --manifest FILE"});
      return failed;
    }
    path = fs::path(location.repo_root) / found[0];
  }
  std::string why;
  auto text = fs::is_directory(path) ? std::nullopt : ReadSmallFile(path, &why);
  std::string shown = fs::path(path).lexically_proximate(fs::current_path()).string();
  if (!text) {
    failed.diagnostics.push_back({Severity::kError, shown, 0, 0,
                                  "cannot read the manifest" + (why.empty() ? "" : ": " + why),
                                  "check the path given to --manifest"});
    return failed;
  }
  return ParseManifest(*text, shown, location.repo_root);
}

}  // namespace hoist
