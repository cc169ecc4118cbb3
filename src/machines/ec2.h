#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/hoist_config.h"
#include "util/expected.h"

namespace hoist {

/// What hoist reads of an EC2 instance.
struct Ec2Instance {
  std::string id;
  std::string state;         ///< pending, running, shutting-down, terminated, …
  std::string state_reason;  ///< e.g. Server.SpotInstanceTermination
  std::string private_ip;
  std::string public_ip;
  std::string lifecycle;  ///< "spot" or ""
  std::map<std::string, std::string> tags;
  long long launch_time = 0;  ///< seconds since the epoch (0: not known)
};

/// What hoist reads of a spot instance request.
struct SpotRequest {
  std::string id;
  std::string state;   ///< open, active, closed, cancelled, failed
  std::string status;  ///< fulfilled, pending-fulfillment, capacity-not-available, …
  std::string instance_id;
};

/// A launch: one machine of `size`, tagged, shutting itself down as `user_data` says.
struct Ec2Launch {
  SpotSize size;
  std::map<std::string, std::string> tags;
  std::string user_data;  ///< a shell script, as text
};

/// The EC2 operations the spot provider needs; one implementation drives the AWS CLI.
class Ec2 {
 public:
  virtual ~Ec2() = default;
  virtual Expected<std::string> RequestSpot(const Ec2Launch& launch, double price) = 0;
  /// `cleanup`: a call that Ctrl-C must not cut short.
  virtual Expected<SpotRequest> DescribeSpotRequest(const std::string& id,
                                                    bool cleanup = false) = 0;
  virtual Status CancelSpotRequest(const std::string& id) = 0;
  virtual Expected<std::string> RunOnDemand(const Ec2Launch& launch) = 0;
  virtual Expected<Ec2Instance> DescribeInstance(const std::string& id) = 0;
  /// Instances carrying all of `tags` that are not terminated.
  virtual Expected<std::vector<Ec2Instance>> FindLive(
      const std::map<std::string, std::string>& tags) = 0;
  virtual Status Tag(const std::string& id, const std::map<std::string, std::string>& tags) = 0;
  virtual Status Terminate(const std::string& id) = 0;
};

/// The AWS CLI (HOIST_AWS or `aws` on PATH), with the region and endpoint of hoist.yml `spot:`;
/// credentials come from the AWS CLI's own configuration and environment.
class AwsCliEc2 : public Ec2 {
 public:
  explicit AwsCliEc2(const SpotConfig& config);
  Expected<std::string> RequestSpot(const Ec2Launch& launch, double price) override;
  Expected<SpotRequest> DescribeSpotRequest(const std::string& id, bool cleanup) override;
  Status CancelSpotRequest(const std::string& id) override;
  Expected<std::string> RunOnDemand(const Ec2Launch& launch) override;
  Expected<Ec2Instance> DescribeInstance(const std::string& id) override;
  Expected<std::vector<Ec2Instance>> FindLive(
      const std::map<std::string, std::string>& tags) override;
  Status Tag(const std::string& id, const std::map<std::string, std::string>& tags) override;
  Status Terminate(const std::string& id) override;

 private:
  /// Runs `aws ec2 ARGS --output json`; cleanup calls are not stopped by Ctrl-C. EC2 is
  /// eventually consistent: a *.NotFound right after a create is retried for a while.
  Expected<std::string> Call(std::vector<std::string> args, bool cleanup = false);
  std::string aws_;
  SpotConfig config_;
};

}  // namespace hoist
