#pragma once

// In-memory stand-ins for hoist's interfaces to outside systems, as ninja's FakeCommandRunner:
// the scheduler, machine pool, placement, build decisions and the deploy gate are tested
// with them in milliseconds, without Docker, a registry or EC2.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "docker/image_builder.h"
#include "machines/build_machine.h"
#include "machines/ec2.h"
#include "store/image_store.h"

namespace hoist::testing {

/// An ImageStore in memory: tags name images or markers; a tag in `failing` answers an error
/// (a throttled or unreachable registry), never "absent".
class FakeImageStore : public ImageStore {
 public:
  std::string Describe() const override { return "fake store"; }
  std::string Reference(const std::string& project, const std::string& tag) const override {
    return "fake/" + project + ":" + tag;
  }
  Status Prepare(const std::vector<std::string>&) override { return Ok(); }
  Expected<Presence> Exists(const std::string& project, const std::string& tag) override;
  Status Tag(const std::string& project, const std::string& from, const std::string& to) override;
  Status Untag(const std::string& project, const std::string& tag) override;
  Expected<std::vector<std::string>> Tags(const std::string& project) override;
  Status PutMarker(const std::string& project, const std::string& tag,
                   const Marker& marker) override;
  Expected<std::optional<Marker>> GetMarker(const std::string& project,
                                            const std::string& tag) override;
  Status DeleteMarker(const std::string& project, const std::string& tag) override;
  Expected<std::optional<std::string>> Digest(const std::string& project,
                                              const std::string& tag) override;

  /// Puts an image under project:tag; each one added has a digest of its own. Returns it.
  std::string AddImage(const std::string& project, const std::string& tag);
  /// Every question about project:tag fails from now on.
  void Fail(const std::string& project, const std::string& tag);
  /// How many questions were asked.
  int questions() const { return questions_; }

 private:
  struct Entry {
    bool image = false;
    std::string digest;
    Marker marker;
  };
  Status Check(const std::string& project, const std::string& tag);
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, Entry>> tags_;
  std::set<std::string> failing_;
  std::atomic<int> questions_{0};
  int images_added_ = 0;
};

/// An ImageBuilder that records what it was asked; builds of a reference in `failing` fail.
class FakeImageBuilder : public ImageBuilder {
 public:
  explicit FakeImageBuilder(std::string name = "fake") : name_(std::move(name)) {}
  std::string Describe() const override { return name_; }
  Status Check() override { return Ok(); }
  Status Build(const BuildRequest& request, const LineSink& on_line) override;
  Status Pull(const std::string& reference, const LineSink&) override;
  Status Push(const std::string& reference, const LineSink&) override;
  Status Tag(const std::string&, const std::string&) override { return Ok(); }
  Status RunContainer(const std::string& image, const std::vector<std::string>& command,
                      const std::string&, const LineSink& on_line) override;
  Status RunCompose(const ComposeRun& run, const LineSink& on_line) override;
  Status CopyFromImage(const std::string&, const std::string&, const std::string&,
                       const LineSink&) override {
    return Ok();
  }
  Expected<std::string> Architecture() override { return std::string("amd64"); }

  std::vector<std::string> calls() const;
  std::set<std::string> failing;  ///< image references whose build or run fails

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

/// A machine of the fake provider: healthy until `lost` is set; `interrupted` says the
/// provider took it back.
class FakeMachine : public BuildMachine {
 public:
  explicit FakeMachine(std::string name) : name_(std::move(name)), builder_(name_) {}
  std::string Describe() const override { return name_; }
  Expected<ImageBuilder*> Prepare(const LineSink&) override;
  Status Health() override { return lost ? Status(Error{name_ + " is gone"}) : Status(Ok()); }
  void Finish(const LineSink&) override {
    finished = true;
    if (journal) journal->push_back("finished " + name_);
  }
  bool Interrupted() const override { return interrupted; }

  bool unreachable = false;  ///< Prepare fails
  bool lost = false;
  bool interrupted = false;
  bool finished = false;
  std::vector<std::string>* journal = nullptr;  ///< where Finish is recorded (outlives this)

 private:
  std::string name_;
  FakeImageBuilder builder_;
};

/// EC2 in memory, with a settable clock (seconds since the epoch).
class FakeEc2 : public Ec2 {
 public:
  explicit FakeEc2(long long* now) : now_(now) {}
  Expected<std::string> RequestSpot(const Ec2Launch& launch, double price) override;
  Expected<SpotRequest> DescribeSpotRequest(const std::string& id, bool cleanup) override;
  Status CancelSpotRequest(const std::string& id) override;
  Expected<std::string> RunOnDemand(const Ec2Launch& launch) override;
  Expected<Ec2Instance> DescribeInstance(const std::string& id) override;
  Expected<std::vector<Ec2Instance>> FindLive(
      const std::map<std::string, std::string>& tags) override;
  Status Tag(const std::string& id, const std::map<std::string, std::string>& tags) override;
  Status Terminate(const std::string& id) override;

  /// Starts a machine directly (a leftover of another run), launched `age` seconds ago.
  std::string Start(const std::map<std::string, std::string>& tags, long long age = 0);
  std::map<std::string, Ec2Instance> instances;
  std::vector<std::string> terminated;

 private:
  long long* now_;
  int next_ = 0;
  std::map<std::string, SpotRequest> requests_;
};

}  // namespace hoist::testing
