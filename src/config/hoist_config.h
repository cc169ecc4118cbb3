#pragma once

#include <map>
#include <string>
#include <vector>

#include "ci/ci_pipeline.h"
#include "util/expected.h"

namespace hoist {

/// One machine size of the spot provider (hoist.yml `spot.sizes.<CPUS>`).
struct SpotSize {
  std::string instance_type;
  std::string image_id;
  std::string key_name;
  std::vector<std::string> security_group_ids;
  std::string subnet_id;
  std::string iam_instance_profile;
};

/// The spot provider's settings (hoist.yml `spot:`).
struct SpotConfig {
  double price_per_cpu_hour = 0;  ///< the bid is CPUS × this
  std::string region;
  std::string endpoint_url;  ///< another EC2 endpoint (e.g. a stand-in); "" for AWS's own
  std::string user = "ubuntu";
  int ssh_port = 22;
  std::string group = "hoist";  ///< the Group tag of every machine hoist starts
  int spot_wait_seconds = 120;  ///< how long a spot request may stay open before on-demand
  int boot_wait_seconds = 300;  ///< how long to wait for the machine and its SSH
  int lifetime_minutes = 120;   ///< the machine shuts itself down after this, whatever happens
  std::map<int, SpotSize> sizes;
};

/// Which runs may write the shared cache (hoist.yml `trust:`). A run is trusted when it is not
/// a pull request's and its branch or tag fully matches one of these regular expressions.
struct TrustConfig {
  std::vector<std::string> branches;  ///< when not set: the deploy branches (see DeployBranches)
  bool branches_set = false;
  std::vector<std::string> tags = {"v[0-9].*", ".+-v[0-9].*"};  ///< release tags
  /// Where untrusted runs write, REGISTRY[/PREFIX]; "" = the cache registry, its prefix
  /// followed by /untrusted.
  std::string untrusted_registry;
};

/// hoist.yml at the repository root: settings that are not the manifest's (the manifest stays
/// the Aztec format). Every key is optional.
struct HoistConfig {
  std::string file;  ///< "" when there is no hoist.yml
  CiOptions ci;
  std::vector<std::string> remotes;      ///< the pool: ssh://user@host[:port] URLs
  std::string ssh_identity_file;         ///< ssh -i, for the pool and spot machines
  std::vector<std::string> ssh_options;  ///< extra ssh -o NAME=VALUE options
  SpotConfig spot;
  TrustConfig trust;
  /// docker build --network of every build (hoist.yml `build.network`); "" = the engine's
  /// default, as `docker build` itself (`none` for builds that must not reach the network).
  std::string build_network;
};

/// Loads `root`/hoist.yml; an absent file gives the defaults. Errors name file:line.
Expected<HoistConfig> LoadHoistConfig(const std::string& root);

}  // namespace hoist
