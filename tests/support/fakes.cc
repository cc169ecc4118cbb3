#include "support/fakes.h"

namespace hoist::testing {

Status FakeImageStore::Check(const std::string& project, const std::string& tag) {
  ++questions_;
  if (failing_.count(project + ":" + tag)) {
    return Error{"fake store: 503 Service Unavailable for " + project + ":" + tag};
  }
  return Ok();
}

Expected<Presence> FakeImageStore::Exists(const std::string& project, const std::string& tag) {
  if (auto ok = Check(project, tag); !ok) return ok.error();
  std::lock_guard<std::mutex> lock(mutex_);
  return tags_[project].count(tag) ? Presence::kPresent : Presence::kAbsent;
}

Status FakeImageStore::Tag(const std::string& project, const std::string& from,
                           const std::string& to) {
  if (auto ok = Check(project, to); !ok) return ok;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = tags_[project].find(from);
  if (found == tags_[project].end()) return Error{"fake store: no " + project + ":" + from};
  tags_[project][to] = found->second;
  return Ok();
}

Status FakeImageStore::Untag(const std::string& project, const std::string& tag) {
  if (auto ok = Check(project, tag); !ok) return ok;
  std::lock_guard<std::mutex> lock(mutex_);
  tags_[project].erase(tag);
  return Ok();
}

Expected<std::vector<std::string>> FakeImageStore::Tags(const std::string& project) {
  ++questions_;
  // A listing fails where a question about any one of its tags would.
  for (const auto& failing : failing_) {
    if (failing.rfind(project + ":", 0) == 0) {
      return Error{"fake store: 503 Service Unavailable listing " + project};
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [tag, entry] : tags_[project]) names.push_back(tag);
  return names;
}

Status FakeImageStore::PutMarker(const std::string& project, const std::string& tag,
                                 const Marker& marker) {
  if (auto ok = Check(project, tag); !ok) return ok;
  std::lock_guard<std::mutex> lock(mutex_);
  Entry entry;
  Marker timed = marker;
  if (timed.time.empty()) timed.time = "2026-11-30T10:00:00Z";
  entry.marker = Stamped(timed, tag);
  tags_[project][tag] = entry;
  return Ok();
}

Expected<std::optional<Marker>> FakeImageStore::GetMarker(const std::string& project,
                                                          const std::string& tag) {
  if (auto ok = Check(project, tag); !ok) return ok.error();
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = tags_[project].find(tag);
  if (found == tags_[project].end()) return std::optional<Marker>();
  if (found->second.image) return Error{project + ":" + tag + " names an image, not a marker"};
  return std::optional<Marker>(found->second.marker);
}

Status FakeImageStore::DeleteMarker(const std::string& project, const std::string& tag) {
  if (auto ok = Check(project, tag); !ok) return ok;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = tags_[project].find(tag);
  if (found != tags_[project].end() && found->second.image) {
    return Error{project + ":" + tag + " names an image, not a marker"};
  }
  tags_[project].erase(tag);
  return Ok();
}

std::string FakeImageStore::AddImage(const std::string& project, const std::string& tag) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = tags_[project][tag];
  entry.image = true;
  entry.digest = "sha256:" + std::string(63, '0') + std::to_string(++images_added_ % 10);
  return entry.digest;
}

Expected<std::optional<std::string>> FakeImageStore::Digest(const std::string& project,
                                                            const std::string& tag) {
  if (auto ok = Check(project, tag); !ok) return ok.error();
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = tags_[project].find(tag);
  if (found == tags_[project].end() || !found->second.image) return std::optional<std::string>();
  return std::optional<std::string>(found->second.digest);
}

void FakeImageStore::Fail(const std::string& project, const std::string& tag) {
  std::lock_guard<std::mutex> lock(mutex_);
  failing_.insert(project + ":" + tag);
}

Status FakeImageBuilder::Build(const BuildRequest& request, const LineSink& on_line) {
  std::string tags;
  for (const auto& tag : request.tags) tags += " " + tag;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back("build" + tags);
  }
  if (on_line) on_line("fake build" + tags);
  for (const auto& tag : request.tags) {
    if (failing.count(tag)) return Error{"fake build of " + tag + " failed"};
  }
  return Ok();
}

Status FakeImageBuilder::Pull(const std::string& reference, const LineSink&) {
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.push_back("pull " + reference);
  return Ok();
}

Status FakeImageBuilder::Push(const std::string& reference, const LineSink&) {
  std::lock_guard<std::mutex> lock(mutex_);
  calls_.push_back("push " + reference);
  return Ok();
}

Status FakeImageBuilder::RunCompose(const ComposeRun& run, const LineSink& on_line) {
  std::string words;
  for (const auto& variable : run.environment) words += " " + variable;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back("compose " + run.file + " " + run.service + words);
  }
  if (on_line) on_line("fake compose " + run.file);
  if (failing.count(run.file)) return Error{"fake compose of " + run.file + " failed"};
  return Ok();
}

Status FakeImageBuilder::RunContainer(const std::string& image,
                                      const std::vector<std::string>& command, const std::string&,
                                      const LineSink& on_line) {
  std::string words;
  for (const auto& word : command) words += " " + word;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back("run " + image + words);
  }
  if (on_line) on_line("fake run" + words);
  if (failing.count(image)) return Error{"fake run in " + image + " failed"};
  return Ok();
}

std::vector<std::string> FakeImageBuilder::calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return calls_;
}

Expected<ImageBuilder*> FakeMachine::Prepare(const LineSink&) {
  if (unreachable) return Error{Describe() + " does not answer"};
  return &builder_;
}

Expected<std::string> FakeEc2::RequestSpot(const Ec2Launch& launch, double) {
  std::string instance = Start(launch.tags);
  std::string id = "sir-" + std::to_string(++next_);
  requests_[id] = {id, "active", "fulfilled", instance};
  return id;
}

Expected<SpotRequest> FakeEc2::DescribeSpotRequest(const std::string& id, bool) {
  auto found = requests_.find(id);
  if (found == requests_.end()) return Error{"no spot request " + id};
  return found->second;
}

Status FakeEc2::CancelSpotRequest(const std::string& id) {
  requests_[id].state = "cancelled";
  return Ok();
}

Expected<std::string> FakeEc2::RunOnDemand(const Ec2Launch& launch) {
  return Start(launch.tags);
}

Expected<Ec2Instance> FakeEc2::DescribeInstance(const std::string& id) {
  auto found = instances.find(id);
  if (found == instances.end()) return Error{"no instance " + id};
  return found->second;
}

Expected<std::vector<Ec2Instance>> FakeEc2::FindLive(
    const std::map<std::string, std::string>& tags) {
  std::vector<Ec2Instance> live;
  for (const auto& [id, instance] : instances) {
    if (instance.state == "terminated") continue;
    bool all = true;
    for (const auto& [key, value] : tags) {
      auto tag = instance.tags.find(key);
      all = all && tag != instance.tags.end() && tag->second == value;
    }
    if (all) live.push_back(instance);
  }
  return live;
}

Status FakeEc2::Tag(const std::string& id, const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) instances[id].tags[key] = value;
  return Ok();
}

Status FakeEc2::Terminate(const std::string& id) {
  instances[id].state = "terminated";
  terminated.push_back(id);
  return Ok();
}

std::string FakeEc2::Start(const std::map<std::string, std::string>& tags, long long age) {
  Ec2Instance instance;
  instance.id = "i-" + std::to_string(++next_);
  instance.state = "running";
  instance.tags = tags;
  instance.launch_time = *now_ - age;
  instances[instance.id] = instance;
  return instance.id;
}

}  // namespace hoist::testing
