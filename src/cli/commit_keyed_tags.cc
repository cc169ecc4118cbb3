#include "cli/commit_keyed_tags.h"

#include <iostream>
#include <map>

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
  // One snapshot per commit asked about, whichever project asks.
  auto sides = std::make_shared<std::map<std::string, std::vector<ProjectHash>>>();
  tags->hash_at = [&context, sides, platform](int project, const std::string& at) {
    auto side = sides->find(at);
    if (side == sides->end()) {
      SnapshotOptions options;
      options.rev = at;
      context.ApplyScheme(options);
      SourceSnapshot snapshot = context.Snapshot(options);
      side = sides->emplace(at, context.Hashes(snapshot, context.scheme(), platform)).first;
    }
    const ProjectHash& hash = side->second[project];
    return hash.error.empty() ? hash.hash : std::string();
  };
  return tags;
}

void ReuseCommitTags(CommitTags* tags, const std::vector<KeyedTag>& wanted) {
  if (!tags) return;
  auto reused = AdoptCommitTags(*tags, wanted);
  if (!reused) throw CommandFailure{kExitFailure, "hoist: error: " + reused.error().message};
  for (const auto& line : *reused) std::cerr << line << "\n";
}

bool KeepCommitTags(CommitTags* tags, const std::vector<KeyedTag>& written) {
  if (!tags) return true;
  auto kept = WriteCommitTags(*tags, written);
  if (kept) return true;
  std::cerr << "hoist: error: " << kept.error().message << "\n";
  return false;
}

}  // namespace hoist
