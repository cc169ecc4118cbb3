#include "cli/commit_keyed_tags.h"

#include <iostream>
#include <map>

#include "source/content_hash.h"

namespace hoist {

std::unique_ptr<CommitTags> CommitKeyedTags(CommandContext& context, ImageStore& store,
                                            const std::vector<ProjectHash>& hashes,
                                            const std::string& commit,
                                            const std::string& platform) {
  if (context.compat != kCommitKeyedCompat) return nullptr;
  auto history = RecentCommits(context.repo());
  if (!history) throw CommandFailure{kExitFailure, "hoist: error: " + history.error().message};
  auto tags = std::make_unique<CommitTags>(
      CommitTags{store, context.manifest(), hashes, commit, std::move(*history), nullptr});
  // Two snapshots per commit asked about, whichever project asks.
  auto sides = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  tags->identity_at = [&context, sides, platform](int project, const std::string& at) {
    auto side = sides->find(at);
    if (side == sides->end()) {
      SnapshotOptions aztec_options;
      aztec_options.rev = at;
      context.ApplyScheme(aztec_options);
      auto aztec = context.Hashes(context.Snapshot(aztec_options), context.scheme(), platform);
      SnapshotOptions own_options;
      own_options.rev = at;
      auto own = HashProjects(context.manifest(), context.graph(), context.patterns(),
                              context.Snapshot(own_options), HashScheme::kV1, platform);
      // Submodules: a bump is one row that no pattern may name, yet the scripts' images hold
      // their files (docker build of the whole build directory) and their diff went into them
      // (list_file_diff). Each project's identity names those inside its build directories.
      std::vector<std::pair<std::string, std::string>> links;  // path, commit
      auto listed = context.repo().ListTree(at, [&](const TreeEntryView& entry) {
        if (entry.mode == "160000") links.emplace_back(entry.path, entry.oid);
      });
      if (!listed) return std::string();
      const Manifest& manifest = context.manifest();
      auto inside = [](const std::string& path, const std::string& dir) {
        return dir.empty() || dir == "." ||
               (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                path[dir.size()] == '/');
      };
      std::vector<std::string> identities(aztec.size());
      for (size_t p = 0; p < aztec.size(); ++p) {
        // The Aztec hash of no file at all (git's id of the empty blob): the patterns match
        // nothing (a pattern of another dialect, say), so nothing says the files are the same.
        if (!aztec[p].error.empty() || !own[p].error.empty() ||
            aztec[p].hash == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391") {
          continue;
        }
        identities[p] = aztec[p].hash + "+" + own[p].hash;
        std::vector<int> closure = context.graph().TransitiveDependencies(static_cast<int>(p));
        closure.push_back(static_cast<int>(p));
        for (const auto& [path, linked] : links) {
          for (int d : closure) {
            if (!inside(path, manifest.projects[d].build_dir)) continue;
            identities[p] += "+" + path + "@" + linked;
            break;
          }
        }
      }
      side = sides->emplace(at, std::move(identities)).first;
    }
    return side->second[project];
  };
  return tags;
}

void ReuseCommitTags(CommitTags* tags, const std::vector<KeyedTag>& wanted) {
  if (!tags) return;
  auto reused = AdoptCommitTags(*tags, wanted);
  if (!reused) throw CommandFailure{kExitFailure, "hoist: error: " + reused.error().message};
  for (const auto& line : *reused) std::cerr << line << "\n";
}

bool KeepCommitTags(CommitTags* tags, const std::vector<KeyedTag>& keyed,
                    const std::vector<JobResult>& results) {
  if (!tags) return true;
  std::vector<KeyedTag> written;
  for (size_t i = 0; i < keyed.size() && i < results.size(); ++i) {
    const JobOutcome outcome = results[i].outcome;
    if (outcome == JobOutcome::kDone || outcome == JobOutcome::kCached) written.push_back(keyed[i]);
  }
  auto kept = WriteCommitTags(*tags, written);
  if (kept) return true;
  std::cerr << "hoist: error: " << kept.error().message << "\n";
  return false;
}

}  // namespace hoist
