// The spot provider against EC2 in memory, with a clock of the test's own: which leftovers a
// new machine's sweep ends, and that every machine started is ended.
#include "machines/spot_machine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/fakes.h"

namespace hoist {
namespace {

using testing::FakeEc2;

constexpr long long kNow = 1'800'000'000;

HoistConfig Config() {
  HoistConfig config;
  config.spot.price_per_cpu_hour = 0.01;
  config.spot.lifetime_minutes = 120;
  config.spot.boot_wait_seconds = 0;
  SpotSize size;
  size.instance_type = "c6a.xlarge";
  size.image_id = "ami-0hoist";
  config.spot.sizes[4] = size;
  return config;
}

bool Ended(const FakeEc2& ec2, const std::string& id) {
  return std::find(ec2.terminated.begin(), ec2.terminated.end(), id) != ec2.terminated.end();
}

TEST(SpotMachine, TheSweepEndsOnlyThisPipelinesLeftoversAndExpiredMachines) {
  long long now = kNow;
  auto owned = std::make_unique<FakeEc2>(&now);
  FakeEc2& ec2 = *owned;
  const std::map<std::string, std::string> job = {{"Name", "hoist-build-lib"}, {"Group", "hoist"}};
  auto with = [&](std::map<std::string, std::string> tags,
                  std::map<std::string, std::string> more) {
    tags.insert(more.begin(), more.end());
    return tags;
  };
  // An earlier attempt of this pipeline's job; the same job of a concurrent pipeline on the
  // same branch; one of that pipeline past its lifetime; another job of this pipeline.
  std::string retried = ec2.Start(with(job, {{"Pipeline", "p1"}, {"Branch", "main"}}), 600);
  std::string concurrent = ec2.Start(with(job, {{"Pipeline", "p2"}, {"Branch", "main"}}), 600);
  std::string expired = ec2.Start(with(job, {{"Pipeline", "p2"}}), (120 + 11) * 60);
  std::string other_job =
      ec2.Start({{"Name", "hoist-build-app"}, {"Group", "hoist"}, {"Pipeline", "p1"}}, 600);
  std::string untagged = ec2.Start(job, 60);  // a machine of an older hoist: not ours to end

  std::vector<std::string> lines;
  {
    SpotMachine machine("spot:4", "hoist-build-lib", {"p1", "main"}, Config(), std::move(owned),
                        [&now] { return now; });
    // The fake's machines have no address: Prepare stops there, after the sweep and launch.
    auto prepared = machine.Prepare([&](const std::string& line) { lines.push_back(line); });
    ASSERT_FALSE(prepared.ok());
    EXPECT_NE(prepared.error().message.find("has no IP address"), std::string::npos);
    EXPECT_TRUE(Ended(ec2, retried));
    EXPECT_TRUE(Ended(ec2, expired));
    EXPECT_FALSE(Ended(ec2, concurrent));
    EXPECT_FALSE(Ended(ec2, other_job));
    EXPECT_FALSE(Ended(ec2, untagged));
    // The new machine carries this pipeline's identity.
    const Ec2Instance& started = ec2.instances.rbegin()->second;
    EXPECT_EQ(started.tags.at("Pipeline"), "p1");
    EXPECT_EQ(started.tags.at("Branch"), "main");
    EXPECT_EQ(started.tags.at("Name"), "hoist-build-lib");
    EXPECT_FALSE(Ended(ec2, started.id));
  }
  // The job is over: its machine is ended too, and nothing else.
  EXPECT_EQ(ec2.terminated.size(), 3u);
  EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                         [](const std::string& line) {
                           return line.find("an earlier attempt of this pipeline") !=
                                  std::string::npos;
                         }),
            lines.end());
}

}  // namespace
}  // namespace hoist
