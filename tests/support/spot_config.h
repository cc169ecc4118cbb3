#pragma once
// hoist.yml and the environment for spot machines from the EC2-API stand-in, reached through
// the test sshd.

#include <string>
#include <vector>

#include "support/ec2_standin.h"
#include "support/sshd_fixture.h"

namespace hoist::testing {

/// hoist.yml's ssh settings and a spot: section with a launch spec for each of `cpus`.
inline std::string SpotHoistYml(const SshdFixture& sshd, const Ec2StandIn& ec2,
                                const std::vector<std::string>& cpus) {
  const std::string url = sshd.url();
  std::string sizes;
  for (const auto& count : cpus) {
    sizes += "    " + count +
             ": {instanceType: c6a.xlarge, imageId: ami-0hoist, keyName: hoist-build, "
             "securityGroupIds: [sg-1], subnetId: subnet-1}\n";
  }
  return sshd.HoistYmlSsh() + "spot:\n  endpointUrl: " + ec2.url() +
         "\n  region: us-east-1\n  pricePerCpuHour: 0.01\n  user: " +
         url.substr(6, url.find('@') - 6) + "\n  sshPort: " + std::to_string(sshd.port()) +
         "\n  spotWaitSeconds: 5\n  bootWaitSeconds: 30\n  lifetimeMinutes: 90\n  sizes:\n" + sizes;
}

/// The environment that sends hoist's AWS CLI calls to the stand-in and nowhere else: fake
/// credentials, no instance metadata, no AWS configuration of the machine's.
inline std::vector<std::string> AwsStandInEnv() {
  return {"HOIST_AWS=/usr/bin/aws",       "AWS_ACCESS_KEY_ID=test",
          "AWS_SECRET_ACCESS_KEY=test",   "AWS_EC2_METADATA_DISABLED=true",
          "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"};
}

}  // namespace hoist::testing
