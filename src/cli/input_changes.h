#pragma once
// What a project's hash is made of at two commits, and what changed between them down to the
// files, through every level of dependencies (explain --base, build --dry-run).

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "source/content_hash.h"
#include "store/image_store.h"

namespace hoist {

/// One side of an explanation: a snapshot, every project's hash in it, and what the hashes
/// read besides files (kept by value: the context keeps one commit's resolved bases at a time).
struct Side {
  SourceSnapshot snapshot;
  std::vector<ProjectHash> hashes;
  InjectedArgs injected;
  BaseImages bases;
};

/// The side `options` names; warns of patterns that match nothing for `projects`.
Side TakeSide(CommandContext& context, const SnapshotOptions& options, const std::string& platform,
              const std::vector<int>& projects);
HashInputs InputsOf(CommandContext& context, const Side& side, int project,
                    const std::string& platform);
nlohmann::json ToJson(const Side& side, int project, const HashInputs& inputs);
/// What changed in `project`'s inputs from `before` to `now`: "files" [{path, change}], its
/// other inputs as "- old"/"+ new" lines, and "dependencies" [{project, from, to, changes}]
/// (each dependency explained once; `explained` holds those already explained).
nlohmann::json Changes(CommandContext& context, const Side& before, const Side& now, int project,
                       const std::string& platform, std::set<int>& explained);
/// For a project whose hash has no image in `store`: the nearest of the `depth` commits before
/// HEAD (HEAD too when its inputs are uncommitted) whose hash for it has one, and what changed
/// since — {"commit", "back", "hash", "changes"}; beyond the history at hand (a shallow clone),
/// the last build on `branch` from the inputs it recorded in the store ({"back": null,
/// "recorded": true, …}); or null when none of them has an image
/// (`sides` keeps the commits' sides for the next project asked). The commits are hashed with
/// today's manifest and base images, and along first parents (`~N`). `arch` as the build's
/// (multiarch: host projects are looked up by their architecture's tag).
nlohmann::json ChangesSinceLastImage(CommandContext& context, ImageStore& store, const Side& now,
                                     int project, const std::string& platform,
                                     const std::string& arch, const std::string& branch,
                                     std::map<std::string, Side>& sides, int depth = 10);
/// Where ChangesSinceLastImage's image is from, in words: "2 commits back", "the commit checked
/// out", "the branch's last build, as recorded in the store".
std::string SinceWords(const nlohmann::json& since);
/// The first cause of Changes() in words, followed through the dependencies to a file:
/// "greeting changed, because libs/greeting/src/shout.c was modified"; "" when none.
std::string FirstCause(const nlohmann::json& changes);
/// Changes() as indented lines, appended to `lines`.
void ChangeLines(const nlohmann::json& changes, const std::string& indent,
                 std::vector<std::string>& lines);
/// Prints Changes() as indented lines ("modified  path", "dependency lib changed (…) because:").
void PrintChanges(const nlohmann::json& changes, const std::string& indent);

}  // namespace hoist
