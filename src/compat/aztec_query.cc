#include "compat/aztec_query.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "util/files.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;

/// The script ended (set -e, or an explicit exit) with `code`, having printed `err`.
struct ScriptExit {
  int code = 1;
  std::string out;  ///< what it printed before
  std::string err;
};

std::vector<std::string> SortedUnique(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());  // `sort | uniq` in the C locale: byte order
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

/// `printf "%s\n" "${ITEMS[@]}"`: one line per item, and one empty line for no items.
std::string PrintfLines(const std::vector<std::string>& items) {
  if (items.empty()) return "\n";
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

std::string Lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

/// `echo $X`: the words of X joined by single spaces.
std::string Echo(const std::string& text) {
  std::string out;
  for (const auto& word : ShellWords(text)) out += (out.empty() ? "" : " ") + word;
  return out + "\n";
}

class Query {
 public:
  Query(AztecEra era, const RawManifest& manifest, std::string root, const GitRepository& repo)
      : era_(era), manifest_(manifest), root_(std::move(root)), repo_(repo) {}

  std::string Answer(const std::string& field, const std::string& project, const std::string& run) {
    if (!manifest_.Has(project)) {
      throw ScriptExit{1, UnknownMessage(project), ""};
    }
    if (era_ == AztecEra::kJson2023Feb) return Feb(field, project);
    if (era_ == AztecEra::kJson2023Sep) return Sep(field, project);
    return Yaml(field, project, run);
  }

  std::string UnknownMessage(const std::string& project) const {
    if (era_ == AztecEra::kYaml2024) {
      return "Unknown repository " + project + " in " + root_ + "/build_manifest.yml\n";
    }
    return "Unknown repository " + project + " in build_mainifest.json\n";
  }

 private:
  // ---- 2023-02: raw values, a walk without a visited set -------------------------------------
  std::string Feb(const std::string& field, const std::string& p) {
    if (field == "dockerfile") return manifest_.Text(p, "dockerfile", "Dockerfile") + "\n";
    if (field == "buildDir") return manifest_.Text(p, "buildDir") + "\n";
    if (field == "projectDir") return RelativeProjectDir(p) + "\n";
    if (field == "dependencies") return PrintfLines(SortedUnique(FebDependencies(p)));
    if (field == "rebuildPatterns") {
      std::vector<std::string> patterns = FebPatterns(p);
      for (const auto& dep : SortedUnique(FebDependencies(p))) {
        auto more = FebPatterns(dep);
        patterns.insert(patterns.end(), more.begin(), more.end());
      }
      return PrintfLines(SortedUnique(patterns));
    }
    if (field == "submodulePath") return SubmodulePath(manifest_.Text(p, "buildDir"));
    return "";  // no case matched: nothing, status 0
  }

  /// Every dependency reached by any path (with repeats); the script's walk had no visited
  /// set, so on a cycle it never ended: that is an error here, naming the cycle.
  std::vector<std::string> FebDependencies(const std::string& p) {
    std::vector<std::string> all, path = {p};
    FebWalk(p, path, all);
    return all;
  }

  void FebWalk(const std::string& p, std::vector<std::string>& path,
               std::vector<std::string>& all) {
    // `.P.dependencies // [] | .[]`: jq cannot iterate over a string or a number.
    auto type = manifest_.TypeOf(p, "dependencies");
    if (type == RawManifest::Type::kString || type == RawManifest::Type::kOther) {
      throw ScriptExit{5, "",
                       "jq: error (at " + root_ + "/build_manifest.json:0): Cannot iterate over " +
                           JqTypeWithValue(p, "dependencies") + "\n"};
    }
    for (const auto& dep : ShellWords(JoinLines(manifest_.Items(p, "dependencies")))) {
      all.push_back(dep);
      auto seen = std::find(path.begin(), path.end(), dep);
      if (seen != path.end()) {
        std::string cycle;
        for (auto it = seen; it != path.end(); ++it) cycle += *it + " -> ";
        throw ScriptExit{
            1, "",
            "hoist: error: the dependencies form a cycle (" + cycle + dep +
                "); the Aztec build system's 2023-02 query_manifest never ends on one. Break "
                "the cycle, or answer as its later scripts did with --compat aztec-2023-09\n"};
      }
      path.push_back(dep);
      FebWalk(dep, path, all);
      path.pop_back();
    }
  }

  /// `jq -r '.P.rebuildPatterns | .[]'`, which fails unless it is a list.
  std::vector<std::string> FebPatterns(const std::string& p) {
    auto type = manifest_.TypeOf(p, "rebuildPatterns");
    if (type != RawManifest::Type::kList) {
      throw ScriptExit{5, "",
                       "jq: error (at " + root_ + "/build_manifest.json:0): Cannot iterate over " +
                           JqTypeWithValue(p, "rebuildPatterns") + "\n"};
    }
    return ShellWords(JoinLines(manifest_.Items(p, "rebuildPatterns")));
  }

  std::string JqTypeWithValue(const std::string& p, const std::string& field) {
    std::string type = manifest_.TypeName(p, field);
    if (type == "null") return "null";
    return type + " (\"" + manifest_.Text(p, field) + "\")";
  }

  // ---- 2023-09: absolute paths, a visited set, dependency scripts ----------------------------
  std::string Sep(const std::string& field, const std::string& p) {
    if (field == "dockerfile") {
      return Echo(ProjectDir(p) + "/" + manifest_.Text(p, "dockerfile", "Dockerfile"));
    }
    if (field == "buildDir") return Echo(BuildDir(p));
    if (field == "projectDir") return Echo(ProjectDir(p));
    if (field == "relativeProjectDir") return RelativeProjectDir(p) + "\n";
    if (field == "dependencies") return Lines(SepDependencies(p));
    if (field == "rebuildPatterns") {
      std::vector<std::string> patterns;
      AddPatterns(p, patterns);
      for (const auto& dep : SepDependencies(p)) AddPatterns(dep, patterns);
      return PrintfLines(SortedUnique(patterns));
    }
    if (field == "submodulePath") return SubmodulePath(BuildDir(p));
    return "";
  }

  std::vector<std::string> SepDependencies(const std::string& p) {
    std::set<std::string> visited;
    SepWalk(p, visited);
    visited.erase(p);
    return std::vector<std::string>(visited.begin(), visited.end());  // `| sort`
  }

  void SepWalk(const std::string& p, std::set<std::string>& visited) {
    if (!visited.insert(p).second) return;
    for (const auto& dep : DirectDependencies(p)) SepWalk(dep, visited);
  }

  // ---- 2024: YAML, direct dependencies, allDependencies, runDependencies ---------------------
  std::string Yaml(const std::string& field, const std::string& p, const std::string& run) {
    if (field == "dockerfile") {
      return Echo(ProjectDir(p) + "/" + manifest_.Text(p, "dockerfile", "Dockerfile"));
    }
    if (field == "buildDir") return Echo(BuildDir(p));
    if (field == "projectDir") return Echo(ProjectDir(p));
    if (field == "relativeProjectDir") return RelativeProjectDir(p) + "\n";
    if (field == "dependencies") return Lines(manifest_.Items(p, "dependencies"));
    if (field == "runDependencies") {
      std::string out = Echo(p) + Lines(manifest_.Items(p, "runDependencies"));
      // `[ -n "$RUN_NAME" ] && yq …` is the script's last command: without a run name it
      // fails, and so does the script (after printing).
      if (run.empty()) throw ScriptExit{1, out, ""};
      return out + Lines(manifest_.RunItems(p, run));
    }
    if (field == "allDependencies") return Lines(AllDependencies(p));
    if (field == "rebuildPatterns") {
      std::vector<std::string> patterns;
      for (const auto& dep : AllDependencies(p)) AddPatterns(dep, patterns);
      return PrintfLines(SortedUnique(patterns));
    }
    if (field == "submodulePath") return SubmodulePath(BuildDir(p));
    if (field == "multiarch") return manifest_.Text(p, "multiarch", "false") + "\n";
    return "";
  }

  /// Post-order walk with a visited set: dependencies first, the project itself last.
  std::vector<std::string> AllDependencies(const std::string& p) {
    std::set<std::string> visited;
    std::vector<std::string> order;
    AllWalk(p, visited, order);
    return order;
  }

  void AllWalk(const std::string& p, std::set<std::string>& visited,
               std::vector<std::string>& order) {
    if (!visited.insert(p).second) return;
    for (const auto& dep : DirectDependencies(p)) AllWalk(dep, visited, order);
    order.push_back(p);
  }

  // ---- shared by 2023-09 and 2024 ------------------------------------------------------------
  /// get_deps: a list, a script (relative to buildDir, run with the absolute projectDir), or
  /// null (2023-09: <buildDir>/scripts/get_dependencies.sh when there is one; 2024: none).
  std::vector<std::string> DirectDependencies(const std::string& p) {
    auto cached = direct_.find(p);
    if (cached != direct_.end()) return cached->second;
    std::vector<std::string> deps;
    switch (manifest_.TypeOf(p, "dependencies")) {
      case RawManifest::Type::kList:
        deps = ShellWords(JoinLines(manifest_.Items(p, "dependencies")));
        break;
      case RawManifest::Type::kString: {
        std::string script = BuildDir(p) + "/" + manifest_.Text(p, "dependencies");
        std::error_code ec;
        if (!fs::is_regular_file(script, ec)) {
          throw ScriptExit{1, "", "Dependency script not found: " + script + "\n"};
        }
        deps = RunDependencyScript(script, ProjectDir(p));
        break;
      }
      case RawManifest::Type::kNull: {
        if (era_ == AztecEra::kYaml2024) break;
        std::string script = BuildDir(p) + "/scripts/get_dependencies.sh";
        std::error_code ec;
        if (fs::is_regular_file(script, ec)) deps = RunDependencyScript(script, ProjectDir(p));
        break;
      }
      case RawManifest::Type::kOther:
        throw ScriptExit{
            1, "",
            era_ == AztecEra::kYaml2024
                ? "Build manifest 'dependencies' must be array, string, or null (got " +
                      manifest_.TypeName(p, "dependencies") + ").\n"
                : "dependencies must be a array, string or null.\n"};
    }
    direct_[p] = deps;
    return deps;
  }

  std::vector<std::string> RunDependencyScript(const std::string& script,
                                               const std::string& project_dir) {
    ProcessSpec spec;
    spec.argv = {script, project_dir};
    spec.cwd = root_;
    spec.timeout_seconds = 300;
    spec.max_output = 1 << 20;
    auto result = RunProcess(spec);
    if (!result) throw ScriptExit{126, "", script + ": " + result.error().message + "\n"};
    if (result->exit_code != 0) {
      throw ScriptExit{result->exit_code, "", result->stderr_text};
    }
    return ShellWords(result->stdout_text);
  }

  /// add_rebuild_patterns: a list; a file of patterns (relative to projectDir); or null, the
  /// default "^<relativeProjectDir>/".
  void AddPatterns(const std::string& p, std::vector<std::string>& patterns) {
    switch (manifest_.TypeOf(p, "rebuildPatterns")) {
      case RawManifest::Type::kList: {
        auto items = ShellWords(JoinLines(manifest_.Items(p, "rebuildPatterns")));
        patterns.insert(patterns.end(), items.begin(), items.end());
        return;
      }
      case RawManifest::Type::kString: {
        std::string file = ProjectDir(p) + "/" + manifest_.Text(p, "rebuildPatterns");
        std::error_code ec;
        auto text = ReadFile(file);
        if (!fs::is_regular_file(file, ec) || !text) {
          throw ScriptExit{1, "", "cat: " + file + ": No such file or directory\n"};
        }
        auto items = ShellWords(*text);
        patterns.insert(patterns.end(), items.begin(), items.end());
        return;
      }
      case RawManifest::Type::kNull:
        patterns.push_back("^" + RelativeProjectDir(p) + "/");
        return;
      case RawManifest::Type::kOther:
        break;
    }
    throw ScriptExit{1, "",
                     era_ == AztecEra::kYaml2024
                         ? "Build manifest 'rebuildPatterns' must be array, string, or null (got " +
                               manifest_.TypeName(p, "rebuildPatterns") + ").\n"
                         : "rebuildPatterns must be array, string, or null.\n"};
  }

  std::string RelativeProjectDir(const std::string& p) {
    auto type = manifest_.TypeOf(p, "projectDir");
    if (type == RawManifest::Type::kNull || manifest_.Text(p, "projectDir") == "false") {
      return manifest_.Text(p, "buildDir");
    }
    return manifest_.Text(p, "projectDir");
  }
  std::string BuildDir(const std::string& p) { return root_ + "/" + manifest_.Text(p, "buildDir"); }
  std::string ProjectDir(const std::string& p) { return root_ + "/" + RelativeProjectDir(p); }

  /// The submodule holding `dir` (or its nearest existing parent) when that directory is the
  /// submodule itself, as `git ls-tree HEAD DIR` printed it.
  std::string SubmodulePath(std::string dir) {
    std::error_code ec;
    auto exists = [&](const std::string& d) {
      fs::path path = fs::path(d).is_absolute() ? fs::path(d) : fs::path(root_) / d;
      return fs::is_directory(path, ec);
    };
    while (!exists(dir) && dir != "/" && dir != "." && !dir.empty()) {
      dir = fs::path(dir).parent_path().string();
      if (dir.empty()) dir = ".";
    }
    std::string relative = dir;
    if (relative.rfind(root_ + "/", 0) == 0) relative = relative.substr(root_.size() + 1);
    auto row = repo_.Run({"ls-tree", "HEAD", "--", relative});
    if (!row || row->compare(0, 14, "160000 commit ") != 0) return "";
    size_t tab = row->find('\t');
    std::string path = tab == std::string::npos ? "" : row->substr(tab + 1);
    while (!path.empty() && path.back() == '\n') path.pop_back();
    return path + "\n";
  }

  static std::string JoinLines(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += item + "\n";
    return text;
  }

  AztecEra era_;
  const RawManifest& manifest_;
  std::string root_;
  const GitRepository& repo_;
  std::map<std::string, std::vector<std::string>> direct_;
};

}  // namespace

std::vector<std::string> AztecQueryFields(AztecEra era) {
  if (era == AztecEra::kJson2023Feb) {
    return {"dockerfile",   "buildDir",        "projectDir",
            "dependencies", "rebuildPatterns", "submodulePath"};
  }
  if (era == AztecEra::kJson2023Sep) {
    return {"dockerfile",   "buildDir",        "projectDir",   "relativeProjectDir",
            "dependencies", "rebuildPatterns", "submodulePath"};
  }
  return {"dockerfile",    "buildDir",        "projectDir",      "relativeProjectDir",
          "dependencies",  "runDependencies", "allDependencies", "rebuildPatterns",
          "submodulePath", "multiarch"};
}

AztecQueryAnswer AztecQuery(AztecEra era, const RawManifest& manifest, const std::string& root_path,
                            const GitRepository& repo, const std::vector<std::string>& args) {
  AztecQueryAnswer answer;
  std::string field = args.size() > 0 ? args[0] : "";
  std::string project = args.size() > 1 ? args[1] : "";
  std::string run = args.size() > 2 ? args[2] : "";
  Query query(era, manifest, root_path, repo);
  try {
    answer.out = query.Answer(field, project, run);
  } catch (const ScriptExit& exit) {
    answer.exit_code = exit.code;
    answer.out = exit.out;
    answer.err = exit.err;
  }
  return answer;
}

}  // namespace hoist
