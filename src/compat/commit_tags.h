#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "source/content_hash.h"
#include "source/git_repository.h"
#include "store/image_store.h"
#include "util/expected.h"

namespace hoist {

/// The Aztec build system's 2023-02 scripts keyed every tag by commit: the image of a project
/// was cache-<commit> (build, cond_spot_run_build), a test pass cache-<commit>-<job>
/// (cond_spot_run_script), a deploy cache-<commit>-<deploytag>-deployed. A job found the newest
/// of the last 50 commits holding its tag (last_successful_commit) and reused it when no file its
/// rebuild patterns match had changed since (check_rebuild).
///
/// hoist keys by content hash (cache-<hash>SUFFIX, as --compat aztec) and keeps the commit's
/// tags beside: before a job, the newest commit's cache-<commit>SUFFIX is reused as
/// cache-<hash>SUFFIX when the project's sources at that commit are the ones now (identity_at:
/// the Aztec hash, which sees contents only, and hoist's own, which sees paths, modes and the
/// Dockerfile too); after it, cache-<COMMIT_HASH>SUFFIX names what cache-<hash>SUFFIX names,
/// for the scripts and CI steps that read it.
struct CommitTags {
  ImageStore& store;
  const Manifest& manifest;
  const std::vector<ProjectHash>& hashes;
  std::string commit;                ///< COMMIT_HASH: the commit whose tags are written
  /// The commits looked at, newest first: the last 50 along first parents (a branch merged in
  /// brings its commits, which an untrusted pipeline may have tagged).
  std::vector<std::string> history;
  /// What a project's image is made of at a commit, as one string; "" when that cannot be told
  /// or covers no file (nothing is reused then).
  std::function<std::string(int project, const std::string& commit)> identity_at;
};

/// One tag of a project, keyed by hash or commit: cache-<key>SUFFIX ("" the image, "-<job>" a
/// test pass, "-<deploytag>-deployed" a deploy).
struct KeyedTag {
  int project = -1;
  std::string suffix;
};

/// For each of `tags` whose cache-<hash>SUFFIX is absent and whose project is not tainted, the
/// newest commit of the history holding cache-<commit>SUFFIX: when the project's identity there
/// is the one at COMMIT_HASH, that tag is copied to cache-<hash>SUFFIX. Returns one line per tag reused, or
/// an Error when the store cannot answer (nothing is taken as absent).
Expected<std::vector<std::string>> AdoptCommitTags(CommitTags& tags,
                                                   const std::vector<KeyedTag>& wanted);

/// cache-<COMMIT_HASH>SUFFIX written for each of `tags` whose cache-<hash>SUFFIX exists (and
/// does not name it already); an Error naming the first that could not be written.
Status WriteCommitTags(CommitTags& tags, const std::vector<KeyedTag>& written);

/// The commits looked at: `git log --first-parent -n 50 --pretty=format:%H` (the scripts'
/// without --first-parent; a shallow clone gives what it has).
Expected<std::vector<std::string>> RecentCommits(const GitRepository& repo, int count = 50);

}  // namespace hoist
