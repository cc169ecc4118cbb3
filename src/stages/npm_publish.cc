#include "stages/npm_publish.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "stages/host_command.h"
#include "stages/pipeline_env.h"
#include "stages/semver.h"
#include "util/json_fields.h"
#include "util/subprocess.h"
#include "util/temp_directory.h"

namespace hoist {
namespace {

namespace fs = std::filesystem;

Expected<nlohmann::ordered_json> ReadPackageJson(const std::string& dir) {
  const std::string path = dir + "/package.json";
  std::ifstream in(path);
  if (!in) {
    return Error{path + " does not exist: an npm step publishes the package in its 'dir' " +
                 "(relative to projectDir, default '.'); point dir: at the package"};
  }
  auto package = nlohmann::ordered_json::parse(in, nullptr, false);
  if (package.is_discarded() || !package.is_object()) {
    return Error{path + " is not a JSON object"};
  }
  if (!package.contains("name") || !package["name"].is_string() ||
      package["name"].get<std::string>().empty()) {
    return Error{path + " has no \"name\": npm cannot publish a package without one"};
  }
  return package;
}

/// The version of a tag: v1.2.3, or <project>-v1.2.3 as the seed tagged.
std::string TagVersion(const std::string& tag, const std::string& project) {
  std::string version = ReleaseTag(tag, project);
  if (!version.empty() && version[0] == 'v') version = version.substr(1);
  return version;
}

/// "//host[:port]/path/" of a registry URL, the key of its token in .npmrc.
std::string NpmrcKey(const std::string& registry) {
  std::string url = registry.empty() ? "https://registry.npmjs.org/" : registry;
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) url = url.substr(scheme + 1);  // keeps the "//"
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

/// Copies the package directory, without node_modules and .git, into `stage`.
Status StagePackage(const std::string& source, const std::string& stage) {
  std::error_code ec;
  fs::recursive_directory_iterator it(source, fs::directory_options::none, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path name = it->path().filename();
    if (it->is_directory() && !it->is_symlink() && (name == "node_modules" || name == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path target = fs::path(stage) / fs::relative(it->path(), source);
    if (it->is_symlink()) {
      fs::copy_symlink(it->path(), target, ec);
    } else if (it->is_directory()) {
      fs::create_directories(target, ec);
    } else {
      fs::copy_file(it->path(), target, ec);
    }
    if (ec) break;
  }
  if (ec) return Error{"could not stage " + source + " for npm: " + ec.message()};
  return Ok();
}

/// What the registry has of a package: its versions and dist-tags; empty when unpublished.
struct Published {
  std::vector<std::string> versions;
  std::map<std::string, std::string> dist_tags;
};

Expected<Published> ViewPackage(const std::vector<std::string>& npm, const std::string& name,
                                const std::string& cwd, const std::vector<std::string>& env) {
  std::vector<std::string> argv = npm;
  argv.insert(argv.end(), {"view", name, "versions", "dist-tags", "--json"});
  ProcessSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.env = env;
  spec.stoppable = true;
  auto result = RunProcess(spec);
  if (!result) return result.error();
  auto json = nlohmann::json::parse(result->stdout_text, nullptr, false);
  if (result->exit_code != 0 && !json.is_object()) {
    // npm 7 to 9 write the --json error object to stderr.
    json = nlohmann::json::parse(result->stderr_text, nullptr, false);
  }
  if (result->exit_code != 0) {
    if (json.is_object() && json.contains("error") && json["error"].is_object() &&
        JsonString(json["error"], "code") == "E404") {
      return Published{};
    }
    std::string why = result->stderr_text;
    if (json.is_object() && json.contains("error") && json["error"].is_object()) {
      why = JsonString(json["error"], "summary", why);
    }
    return Error{FormatCommand(argv) + " failed (exit status " + std::to_string(result->exit_code) +
                 "): " + why};
  }
  Published published;
  if (json.is_discarded() || !json.is_object()) return published;  // nothing published
  const auto& versions = json["versions"];
  if (versions.is_string()) published.versions.push_back(versions.get<std::string>());
  if (versions.is_array()) {
    for (const auto& v : versions) {
      if (v.is_string()) published.versions.push_back(v.get<std::string>());
    }
  }
  if (json["dist-tags"].is_object()) {
    for (const auto& [tag, v] : json["dist-tags"].items()) {
      if (v.is_string()) published.dist_tags[tag] = v.get<std::string>();
    }
  }
  return published;
}

}  // namespace

Expected<std::string> NpmPackageName(const std::string& package_dir) {
  auto package = ReadPackageJson(package_dir);
  if (!package) return package.error();
  return (*package)["name"].get<std::string>();
}

Status PublishNpmPackage(const NpmPublish& request, const LineSink& on_line) {
  auto say = [&](const std::string& line) {
    if (on_line) on_line(line);
  };
  auto package = ReadPackageJson(request.package_dir);
  if (!package) return package.error();
  const std::string name = (*package)["name"].get<std::string>();
  if (request.commit_tag.empty()) {
    say("npm " + name + ": skipped, not a tagged commit (npm releases come from version tags)");
    return Ok();
  }
  const std::string version_text = TagVersion(request.commit_tag, request.project_name);
  auto version = SemanticVersion::Parse(version_text);
  if (!version) {
    return Error{"commit tag '" + request.commit_tag + "' gives version '" + version_text +
                 "', which is not semver (MAJOR.MINOR.PATCH[-PRERELEASE]); npm needs one"};
  }
  // The dist-tag is the pre-release word: v2.1.0-testnet.3 publishes under "testnet".
  const std::string dist_tag = !version->prerelease.empty() ? version->prerelease[0]
                               : request.dist_tag.empty()   ? "latest"
                                                            : request.dist_tag;
  if (dist_tag == "latest" && !version->prerelease.empty()) {
    return Error{"pre-release word 'latest' cannot be a dist-tag of a pre-release"};
  }
  if (dist_tag.find_first_not_of("0123456789") == std::string::npos ||
      SemanticVersion::Parse(dist_tag)) {
    return Error{"commit tag '" + request.commit_tag + "': the pre-release part must start " +
                 "with a word, the npm dist-tag (v1.2.3-testnet.0 publishes under 'testnet'); " +
                 "npm refuses '" + dist_tag + "'"};
  }

  TempDirectory staging;
  if (auto made = staging.Make("hoist-npm"); !made) return made;
  const std::string& stage = staging.path();
  if (auto staged = StagePackage(request.package_dir, stage); !staged) return staged;

  std::vector<std::string> npm = {"npm"};
  if (!request.registry.empty()) npm.push_back("--registry=" + request.registry);
  if (std::getenv("NPM_TOKEN") != nullptr) {
    // npm expands ${NPM_TOKEN} itself; the token never reaches the disk.
    std::ofstream npmrc(stage + "/.npmrc", std::ios::app);
    npmrc << "\n" << NpmrcKey(request.registry) << ":_authToken=${NPM_TOKEN}\n";
    if (!npmrc) return Error{"could not write " + stage + "/.npmrc"};
  }

  auto published = ViewPackage(npm, name, stage, request.env);
  if (!published) return published.error();
  const bool exists = std::find(published->versions.begin(), published->versions.end(),
                                version_text) != published->versions.end();
  if (auto current = published->dist_tags.find(dist_tag);
      exists && current != published->dist_tags.end() && current->second == version_text) {
    say("npm " + name + "@" + version_text + " is already published: nothing to do");
    return Ok();
  }
  if (auto current = published->dist_tags.find(dist_tag); current != published->dist_tags.end()) {
    auto current_version = SemanticVersion::Parse(current->second);
    if (current_version && CompareVersions(*current_version, *version) > 0) {
      return Error{"npm " + name + "@" + version_text + " is lower than " + current->second +
                   ", already published under dist-tag '" + dist_tag +
                   "': refusing to move it back; tag a higher version"};
    }
  }

  if (exists) {
    say("npm " + name + "@" + version_text + " is published: giving it dist-tag '" + dist_tag +
        "'");
    std::vector<std::string> add = npm;
    add.insert(add.end(), {"dist-tag", "add", name + "@" + version_text, dist_tag});
    return RunHostCommand(add, stage, request.env, on_line);
  }

  (*package)["version"] = version_text;
  for (const char* field : {"dependencies", "peerDependencies", "optionalDependencies"}) {
    if (!package->contains(field) || !(*package)[field].is_object()) continue;
    for (const auto& sibling : request.sibling_packages) {
      if ((*package)[field].contains(sibling)) (*package)[field][sibling] = version_text;
    }
    if (request.pin_scope.empty()) continue;
    for (auto& [dependency, range] : (*package)[field].items()) {
      if (dependency.rfind(request.pin_scope, 0) == 0) range = version_text;
    }
  }
  {
    std::ofstream out(stage + "/package.json", std::ios::trunc);
    out << package->dump(2) << "\n";
    if (!out) return Error{"could not write " + stage + "/package.json"};
  }
  std::vector<std::string> publish = npm;
  publish.insert(publish.end(), {"publish", "--tag", dist_tag, "--access", request.access});
  say("npm " + name + "@" + version_text + ": publishing under dist-tag '" + dist_tag + "'");
  return RunHostCommand(publish, stage, request.env, on_line);
}

}  // namespace hoist
