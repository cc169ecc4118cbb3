#pragma once
// build, test and deploy with --compat aztec-2023-02: the commit-keyed tags of the Aztec build
// system's 2023-02 scripts kept beside hoist's (compat/commit_tags.h).

#include <memory>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "compat/commit_tags.h"
#include "run/scheduler.h"

namespace hoist {

/// The compat value that keys tags by commit too.
inline const std::string kCommitKeyedCompat = "aztec-2023-02";

/// With --compat aztec-2023-02: this run's commit tags, a project's identity at a commit being
/// its Aztec hash (`hoist hash --compat aztec --rev COMMIT`) and its v1 hash of that commit's
/// files (paths, modes, Dockerfile; without base images and injected arguments); null
/// otherwise.
std::unique_ptr<CommitTags> CommitKeyedTags(CommandContext& context, ImageStore& store,
                                            const std::vector<ProjectHash>& hashes,
                                            const std::string& commit,
                                            const std::string& platform = "");

/// AdoptCommitTags, its lines said on stderr; a store that cannot answer fails the command.
void ReuseCommitTags(CommitTags* tags, const std::vector<KeyedTag>& wanted);

/// WriteCommitTags for each of `keyed` whose job (`results`, in the same order) passed or was
/// cached; false (and the error said) when one could not be written.
bool KeepCommitTags(CommitTags* tags, const std::vector<KeyedTag>& keyed,
                    const std::vector<JobResult>& results);

}  // namespace hoist
