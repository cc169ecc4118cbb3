#include "compat/commit_tags.h"

#include <algorithm>
#include <sstream>

#include "store/tag_names.h"

namespace hoist {
namespace {

std::string Keyed(const std::string& key, const std::string& suffix) {
  return "cache-" + key + suffix;
}

bool Listed(const std::vector<std::string>& tags, const std::string& tag) {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

Expected<std::vector<std::string>> AdoptCommitTags(CommitTags& tags,
                                                   const std::vector<KeyedTag>& wanted) {
  std::vector<std::string> lines;
  std::map<int, std::vector<std::string>> listed;  // one tag list per project
  for (const auto& want : wanted) {
    const ProjectHash& hash = tags.hashes[want.project];
    if (!hash.error.empty() || hash.hash.empty() || hash.dirty) continue;
    const std::string& name = tags.manifest.projects[want.project].name;
    auto found = listed.find(want.project);
    if (found == listed.end()) {
      auto list = tags.store.Tags(name);
      if (!list) {
        return Error{"project '" + name + "': the tags the 2023-02 scripts wrote could not be " +
                     "listed: " + list.error().message};
      }
      found = listed.emplace(want.project, std::move(*list)).first;
    }
    const auto& names = found->second;
    const std::string target = Keyed(hash.hash, want.suffix);
    // check_rebuild rebuilt a tainted project; hoist's own decision says why.
    if (Listed(names, target) || Listed(names, tag::kTaint)) continue;
    for (const auto& commit : tags.history) {
      const std::string theirs = Keyed(commit, want.suffix);
      if (!Listed(names, theirs)) continue;
      // last_successful_commit took the newest commit with the tag; so does this.
      if (!tags.identity_at) break;
      const std::string then = tags.identity_at(want.project, commit);
      if (then.empty() || then != tags.identity_at(want.project, tags.commit)) break;
      auto copied = tags.store.Tag(name, theirs, target);
      if (!copied) {
        return Error{"project '" + name + "': " + theirs + " could not be reused as " + target +
                     ": " + copied.error().message};
      }
      lines.push_back("hoist: " + name + ": cache-" + commit.substr(0, 12) + "…" + want.suffix +
                      ", the 2023-02 scripts' tag of commit " + commit.substr(0, 12) +
                      ", has these sources: reused as cache-" + hash.hash.substr(0, 12) + "…" +
                      want.suffix);
      break;
    }
  }
  return lines;
}

Status WriteCommitTags(CommitTags& tags, const std::vector<KeyedTag>& written) {
  if (tags.commit.empty()) return Ok();
  for (const auto& want : written) {
    const ProjectHash& hash = tags.hashes[want.project];
    if (!hash.error.empty() || hash.hash.empty() || hash.dirty) continue;
    const std::string& name = tags.manifest.projects[want.project].name;
    const std::string ours = Keyed(hash.hash, want.suffix);
    const std::string theirs = Keyed(tags.commit, want.suffix);
    auto image = tags.store.Identity(name, ours);
    if (!image) return Error{"project '" + name + "': " + image.error().message};
    if (!*image) continue;  // nothing under the hash (a failed job): nothing to say of the commit
    auto already = tags.store.Identity(name, theirs);
    if (!already) return Error{"project '" + name + "': " + already.error().message};
    if (*already && **already == **image) continue;
    auto tagged = tags.store.Tag(name, ours, theirs);
    if (!tagged) {
      return Error{"project '" + name + "': " + theirs +
                   " (the 2023-02 scripts' name of this commit's image) could not be written: " +
                   tagged.error().message};
    }
  }
  return Ok();
}

Expected<std::vector<std::string>> RecentCommits(const GitRepository& repo, int count) {
  auto log = repo.Run({"log", "--first-parent", "-n", std::to_string(count), "--pretty=format:%H"});
  if (!log) return log.error();
  std::vector<std::string> commits;
  std::istringstream lines(*log);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) commits.push_back(line);
  }
  return commits;
}

}  // namespace hoist
