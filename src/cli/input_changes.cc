#include "cli/input_changes.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <iostream>
#include <map>

#include "stages/recorded_inputs.h"
#include "store/tag_names.h"

namespace hoist {
namespace {

/// Lines of `before` missing from `after` ("-") and the reverse ("+"), in path order.
std::vector<std::string> DiffLines(const std::vector<std::string>& before,
                                   const std::vector<std::string>& after) {
  std::set<std::string> old_set(before.begin(), before.end()), new_set(after.begin(), after.end());
  std::vector<std::string> out;
  for (const auto& line : before) {
    if (!new_set.count(line)) out.push_back("- " + line);
  }
  for (const auto& line : after) {
    if (!old_set.count(line)) out.push_back("+ " + line);
  }
  return out;
}

/// path -> (mode, oid) of "<mode> <oid> <path>" records.
std::map<std::string, std::pair<std::string, std::string>> FilesByPath(
    const std::vector<std::string>& records) {
  std::map<std::string, std::pair<std::string, std::string>> files;
  for (const auto& record : records) {
    const size_t space1 = record.find(' ');
    const size_t space2 = space1 == std::string::npos ? space1 : record.find(' ', space1 + 1);
    if (space2 == std::string::npos) continue;
    files[record.substr(space2 + 1)] = {record.substr(0, space1),
                                        record.substr(space1 + 1, space2 - space1 - 1)};
  }
  return files;
}

std::string Short(const nlohmann::json& hash) {
  return hash.is_string() ? hash.get<std::string>().substr(0, 12) : "none";
}

}  // namespace

Side TakeSide(CommandContext& context, const SnapshotOptions& options, const std::string& platform,
              const std::vector<int>& projects) {
  Side side{context.Snapshot(options), {}, {}, {}};
  context.WarnUnmatchedPatterns(side.snapshot, projects);
  side.hashes = context.Hashes(side.snapshot, HashScheme::kV1, platform);
  side.injected = context.Injected(side.snapshot);
  side.bases = context.Bases(side.snapshot).inputs();
  return side;
}

HashInputs InputsOf(CommandContext& context, const Side& side, int project,
                    const std::string& platform) {
  return CollectHashInputs(context.manifest(), context.graph(), context.patterns(), side.snapshot,
                           project, side.hashes, platform, &side.injected, &side.bases);
}

nlohmann::json ToJson(const Side& side, int project, const HashInputs& inputs) {
  nlohmann::json deps = nlohmann::json::object();
  for (const auto& [name, hash] : inputs.dependencies) {
    deps[name] = hash.empty() ? nlohmann::json() : nlohmann::json(hash);
  }
  const ProjectHash& hash = side.hashes[project];
  return {
      {"commit", side.snapshot.commit()},
      {"hash", hash.hash.empty() ? nlohmann::json() : nlohmann::json(hash.hash)},
      {"dirty", hash.dirty},
      {"error", hash.error.empty() ? nlohmann::json() : nlohmann::json(hash.error)},
      {"files", inputs.files},
      {"buildDir", inputs.build_dir},
      {"dockerfile", inputs.dockerfile},
      {"dockerignore",
       inputs.dockerignore.empty() ? nlohmann::json() : nlohmann::json(inputs.dockerignore)},
      {"buildArgs", inputs.build_args},
      {"injected", inputs.injected},
      {"bases", inputs.bases},
      {"platform", inputs.platform.empty() ? nlohmann::json() : nlohmann::json(inputs.platform)},
      {"dependencies", deps}};
}

/// What changed in a project's inputs between two sides, down to the files: its own files by
/// path ("modified", "added", "deleted", "mode 100644 -> 100755"), its other inputs, and each
/// dependency whose hash changed with what changed in that one, and so on down.
namespace {

/// What changed from `old_inputs` to `new_inputs` of one project; a dependency whose hash
/// changed is followed through `deeper` (its changes, or null when they cannot be told).
nlohmann::json CompareInputs(CommandContext& context, const HashInputs& old_inputs,
                             const HashInputs& new_inputs, std::set<int>& explained,
                             const std::function<nlohmann::json(int, const std::string&)>& deeper) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json files = nlohmann::json::array();
  const auto old_files = FilesByPath(old_inputs.files), new_files = FilesByPath(new_inputs.files);
  std::set<std::string> paths;
  for (const auto& [path, file] : old_files) paths.insert(path);
  for (const auto& [path, file] : new_files) paths.insert(path);
  for (const auto& path : paths) {
    auto was = old_files.find(path), is = new_files.find(path);
    std::string change;
    if (was == old_files.end()) {
      change = "added";
    } else if (is == new_files.end()) {
      change = "deleted";
    } else if (was->second.second != is->second.second) {
      change = "modified";
    } else if (was->second.first != is->second.first) {
      change = "mode " + was->second.first + " -> " + is->second.first;
    } else {
      continue;
    }
    files.push_back({{"path", path}, {"change", change}});
  }
  auto other = [&](const char* key, const std::vector<std::string>& was,
                   const std::vector<std::string>& is) {
    auto lines = DiffLines(was, is);
    if (!lines.empty()) out[key] = lines;
  };
  // The Dockerfile and ignore files are hashed as "<path> <oid>" ("<path> absent") whether or
  // not a pattern covers them. One whose content changed is a file that changed, said once
  // ("modified", "added", "deleted"); its lines stay only where a path itself changed.
  std::set<std::string> changed_paths;
  for (const auto& file : files) changed_paths.insert(file["path"].get<std::string>());
  auto as_files = [&](std::vector<std::string> was, std::vector<std::string> is) {
    auto by_path = [](const std::vector<std::string>& lines) {
      std::map<std::string, std::string> oids;  // path -> oid or "absent"
      for (const auto& line : lines) {
        const size_t space = line.rfind(' ');
        if (space != std::string::npos) oids[line.substr(0, space)] = line.substr(space + 1);
      }
      return oids;
    };
    const auto old_by_path = by_path(was), new_by_path = by_path(is);
    std::set<std::string> said;
    for (const auto& [path, old_oid] : old_by_path) {
      auto now = new_by_path.find(path);
      if (now == new_by_path.end() || now->second == old_oid) continue;
      said.insert(path);
      if (changed_paths.insert(path).second) {
        files.push_back({{"path", path},
                         {"change", old_oid == "absent"       ? "added"
                                    : now->second == "absent" ? "deleted"
                                                              : "modified"}});
      }
    }
    auto unsaid = [&](std::vector<std::string>& lines) {
      std::erase_if(lines, [&](const std::string& line) {
        return said.count(line.substr(0, line.rfind(' '))) > 0;
      });
    };
    unsaid(was);
    unsaid(is);
    return std::pair{was, is};
  };
  const auto dockerfile = as_files({old_inputs.dockerfile}, {new_inputs.dockerfile});
  const auto dockerignore = as_files(old_inputs.dockerignore, new_inputs.dockerignore);
  if (!files.empty()) out["files"] = files;
  other("dockerfile", dockerfile.first, dockerfile.second);
  other("buildDir", {old_inputs.build_dir}, {new_inputs.build_dir});
  other("dockerignore", dockerignore.first, dockerignore.second);
  other("buildArgs", old_inputs.build_args, new_inputs.build_args);
  other("injected", old_inputs.injected, new_inputs.injected);
  other("bases", old_inputs.bases, new_inputs.bases);
  other("platform", {old_inputs.platform}, {new_inputs.platform});
  std::map<std::string, std::string> old_deps(old_inputs.dependencies.begin(),
                                              old_inputs.dependencies.end());
  nlohmann::json deps = nlohmann::json::array();
  for (const auto& [name, hash] : new_inputs.dependencies) {
    auto was = old_deps.find(name);
    if (was != old_deps.end() && was->second == hash) continue;
    auto or_null = [](const std::string& text) {
      return text.empty() ? nlohmann::json() : nlohmann::json(text);
    };
    nlohmann::json dep = {{"project", name},
                          {"from", was == old_deps.end() ? nlohmann::json() : or_null(was->second)},
                          {"to", or_null(hash)}};
    const int d = context.ProjectIndex(name);
    if (was == old_deps.end()) {
      dep["added"] = true;
    } else if (explained.insert(d).second) {  // a dependency reached twice is explained once
      auto changes = deeper(d, was->second);
      if (!changes.is_null()) dep["changes"] = changes;
    }
    deps.push_back(dep);
  }
  for (const auto& [name, hash] : old_inputs.dependencies) {
    if (std::none_of(new_inputs.dependencies.begin(), new_inputs.dependencies.end(),
                     [&](const auto& dep) { return dep.first == name; })) {
      deps.push_back({{"project", name},
                      {"from", hash.empty() ? nlohmann::json() : nlohmann::json(hash)},
                      {"to", nullptr},
                      {"removed", true}});
    }
  }
  if (!deps.empty()) out["dependencies"] = deps;
  return out;
}

/// What changed in `project` from the inputs its earlier build recorded in the store to `now`,
/// each dependency followed through its own earlier build's record.
nlohmann::json ChangesSinceRecord(CommandContext& context, ImageStore& store, const Side& now,
                                  const HashInputs& recorded, int project,
                                  const std::string& platform, std::set<int>& explained) {
  // The record wrote bytes that are not UTF-8 as U+FFFD: the current side is read the same way,
  // or every such path would look deleted and added again.
  const HashInputs raw = InputsOf(context, now, project, platform);
  const HashInputs current = ReadRecordedInputs(RecordedInputsJson(raw)).value_or(raw);
  return CompareInputs(
      context, recorded, current, explained, [&](int d, const std::string& old_hash) {
        auto marker = store.GetMarker(context.manifest().projects[d].name, tag::Built(old_hash));
        if (!marker || !*marker) return nlohmann::json();
        auto inputs = ReadRecordedInputs((*marker)->inputs);
        if (!inputs) return nlohmann::json();
        return ChangesSinceRecord(context, store, now, *inputs, d, platform, explained);
      });
}

}  // namespace

nlohmann::json Changes(CommandContext& context, const Side& before, const Side& now, int project,
                       const std::string& platform, std::set<int>& explained) {
  return CompareInputs(context, InputsOf(context, before, project, platform),
                       InputsOf(context, now, project, platform), explained,
                       [&](int d, const std::string&) {
                         return Changes(context, before, now, d, platform, explained);
                       });
}

nlohmann::json ChangesSinceLastImage(CommandContext& context, ImageStore& store, const Side& now,
                                     int project, const std::string& platform,
                                     const std::string& arch, const std::string& branch,
                                     std::map<std::string, Side>& sides, int depth) {
  const Project& described = context.manifest().projects[project];
  // Uncommitted inputs: HEAD itself may be what was built last.
  for (int back = now.hashes[project].dirty ? 0 : 1; back <= depth; ++back) {
    const std::string rev = now.snapshot.commit() + "~" + std::to_string(back);
    auto side = sides.find(rev);
    if (side == sides.end()) {
      if (!context.repo().ResolveCommit(rev)) break;  // the history (or a shallow clone) ends
      SnapshotOptions options;
      options.rev = rev;
      side = sides.emplace(rev, TakeSide(context, options, platform, {})).first;
    }
    const ProjectHash& hash = side->second.hashes[project];
    // the current hash has no image: the plan said so
    if (!hash.error.empty() || hash.hash == now.hashes[project].hash) continue;
    // the tag the plan asks for (an architecture's own with multiarch: host)
    const std::string tag = described.multiarch == "host" && !arch.empty()
                                ? tag::ArchImage(hash.hash, arch)
                                : tag::Image(hash.hash);
    auto present = store.Exists(described.name, tag);
    if (!present) return nullptr;  // the store's error is the plan's to say
    if (*present != Presence::kPresent) continue;
    std::set<int> explained = {project};
    return {{"commit", side->second.snapshot.commit()},
            {"back", back},
            {"hash", hash.hash},
            {"changes", Changes(context, side->second, now, project, platform, explained)}};
  }
  // Beyond the history at hand (a shallow clone, or more than `depth` commits back): the last
  // build on this branch, from the inputs it recorded in the store.
  auto marker =
      store.GetMarker(described.name, tag::BranchBuilt(branch.empty() ? "detached" : branch));
  if (!marker || !*marker) return nullptr;
  const Marker& last = **marker;
  auto recorded = ReadRecordedInputs(last.inputs);
  if (!recorded || !IsContentHash(last.hash) || last.hash == now.hashes[project].hash) {
    return nullptr;
  }
  const bool commit_ok =
      (last.commit.size() == 40 || last.commit.size() == 64) &&
      std::all_of(last.commit.begin(), last.commit.end(), [](char c) { return std::isxdigit(c); });
  if (!commit_ok) return nullptr;
  const std::string tag = described.multiarch == "host" && !arch.empty()
                              ? tag::ArchImage(last.hash, arch)
                              : tag::Image(last.hash);
  auto present = store.Exists(described.name, tag);
  if (!present || *present != Presence::kPresent) return nullptr;
  std::set<int> explained = {project};
  return {{"commit", last.commit},
          {"back", nullptr},
          {"recorded", true},
          {"hash", last.hash},
          {"changes",
           ChangesSinceRecord(context, store, now, *recorded, project, platform, explained)}};
}

std::string SinceWords(const nlohmann::json& since) {
  if (!since.contains("back") || !since["back"].is_number()) {
    return "the branch's last build, as recorded in the store";
  }
  const int back = since["back"];
  if (back == 0) return "the commit checked out";
  return std::to_string(back) + (back == 1 ? " commit" : " commits") + " back";
}

std::string FirstCause(const nlohmann::json& changes) {
  if (!changes.is_object()) return "";
  if (changes.contains("files") && !changes["files"].empty()) {
    const auto& files = changes["files"];
    const std::string path = files[0]["path"];
    const std::string change = files[0]["change"];
    std::string said = change == "modified" || change == "added" || change == "deleted"
                           ? path + " was " + change
                           : path + " changed (" + change + ")";
    if (files.size() > 1) {
      said += " (and " + std::to_string(files.size() - 1) + " more file" +
              (files.size() > 2 ? "s" : "") + ")";
    }
    return said;
  }
  static const std::vector<std::pair<const char*, const char*>> others = {
      {"dockerfile", "its Dockerfile's path changed"},
      {"buildDir", "its buildDir changed"},
      {"dockerignore", "its .dockerignore changed"},
      {"buildArgs", "its build args changed"},
      {"injected", "an injected build arg changed"},
      {"bases", "a base image changed"},
      {"platform", "its platform changed"}};
  for (const auto& [key, words] : others) {
    if (!changes.contains(key) || changes[key].empty()) continue;
    // "+ NEW" says what it is now.
    std::string now;
    for (const auto& line : changes[key]) {
      const std::string text = line;
      if (text.rfind("+ ", 0) == 0) now = text.substr(2);
    }
    return std::string(words) + (now.empty() ? "" : " (now " + now + ")");
  }
  if (changes.contains("dependencies")) {
    for (const auto& dep : changes["dependencies"]) {
      const std::string name = dep["project"];
      if (dep.value("added", false)) return "dependency " + name + " was added";
      if (dep.value("removed", false)) return "dependency " + name + " was removed";
      const std::string deeper = dep.contains("changes") ? FirstCause(dep["changes"]) : "";
      return name + " changed" + (deeper.empty() ? "" : ", because " + deeper);
    }
  }
  return "";
}

void ChangeLines(const nlohmann::json& changes, const std::string& indent,
                 std::vector<std::string>& lines) {
  if (changes.contains("files")) {
    for (const auto& file : changes["files"]) {
      std::string change = file["change"];
      change.resize(std::max<size_t>(change.size(), 9), ' ');
      lines.push_back(indent + change + " " + file["path"].get<std::string>());
    }
  }
  for (const char* key :
       {"dockerfile", "buildDir", "dockerignore", "buildArgs", "injected", "bases", "platform"}) {
    if (!changes.contains(key)) continue;
    for (const auto& line : changes[key]) {
      lines.push_back(indent + key + " " + line.get<std::string>());
    }
  }
  if (!changes.contains("dependencies")) return;
  for (const auto& dep : changes["dependencies"]) {
    const std::string name = dep["project"];
    if (dep.value("added", false)) {
      lines.push_back(indent + "dependency " + name + " added");
    } else if (dep.value("removed", false)) {
      lines.push_back(indent + "dependency " + name + " removed");
    } else if (!dep.contains("changes")) {
      lines.push_back(indent + "dependency " + name + " changed (" + Short(dep["from"]) + " -> " +
                      Short(dep["to"]) + ", see above)");
    } else {
      lines.push_back(indent + "dependency " + name + " changed (" + Short(dep["from"]) + " -> " +
                      Short(dep["to"]) + ") because:");
      ChangeLines(dep["changes"], indent + "  ", lines);
    }
  }
}

void PrintChanges(const nlohmann::json& changes, const std::string& indent) {
  std::vector<std::string> lines;
  ChangeLines(changes, indent, lines);
  for (const auto& line : lines) std::cout << line << "\n";
}

}  // namespace hoist
