#include "config/hoist_config.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "util/edit_distance.h"

namespace hoist {
namespace {

class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  Error At(const YAML::Node& node, const std::string& message) const {
    return Error{file_ + ":" + std::to_string(node.Mark().line + 1) + ":" +
                 std::to_string(node.Mark().column + 1) + ": error: " + message};
  }

  /// Fails on a key of `map` that is not in `keys`, suggesting the closest one.
  Status OnlyKeys(const YAML::Node& map, const std::string& where,
                  const std::vector<std::string>& keys) const {
    if (!map.IsMap()) return At(map, where + " must be a mapping");
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string close = ClosestName(key, keys);
      std::string known;
      for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
      return At(it->first,
                "unknown key '" + key + "' in " + where +
                    (close.empty() ? " (keys: " + known + ")" : "; did you mean '" + close + "'?"));
    }
    return Ok();
  }

  Status String(const YAML::Node& map, const char* key, std::string& out) const {
    const YAML::Node node = map[key];
    if (!node) return Ok();
    if (!node.IsScalar()) return At(node, std::string("'") + key + "' must be a string");
    out = node.Scalar();
    return Ok();
  }

  Status Strings(const YAML::Node& map, const char* key, std::vector<std::string>& out) const {
    const YAML::Node node = map[key];
    if (!node) return Ok();
    if (node.IsScalar()) {
      out = {node.Scalar()};
      return Ok();
    }
    if (!node.IsSequence()) return At(node, std::string("'") + key + "' must be a list");
    out.clear();
    for (const auto& item : node) {
      if (!item.IsScalar()) return At(item, std::string("'") + key + "' holds strings only");
      out.push_back(item.Scalar());
    }
    return Ok();
  }

  template <typename Number>
  Status Num(const YAML::Node& map, const char* key, Number& out, Number low) const {
    const YAML::Node node = map[key];
    if (!node) return Ok();
    Number value{};
    if (!node.IsScalar() || !YAML::convert<Number>::decode(node, value) || value < low) {
      return At(node,
                std::string("'") + key + "' must be a number of at least " + std::to_string(low));
    }
    out = value;
    return Ok();
  }

 private:
  std::string file_;
};

Status LoadSpot(const ConfigReader& reader, const YAML::Node& node, SpotConfig& spot) {
  if (auto ok =
          reader.OnlyKeys(node, "spot",
                          {"pricePerCpuHour", "region", "endpointUrl", "user", "sshPort", "group",
                           "spotWaitSeconds", "bootWaitSeconds", "lifetimeMinutes", "sizes"});
      !ok) {
    return ok;
  }
  Status ok = reader.Num(node, "pricePerCpuHour", spot.price_per_cpu_hour, 0.0);
  if (ok) ok = reader.String(node, "region", spot.region);
  if (ok) ok = reader.String(node, "endpointUrl", spot.endpoint_url);
  if (ok) ok = reader.String(node, "user", spot.user);
  if (ok) ok = reader.Num(node, "sshPort", spot.ssh_port, 1);
  if (ok) ok = reader.String(node, "group", spot.group);
  if (ok) ok = reader.Num(node, "spotWaitSeconds", spot.spot_wait_seconds, 0);
  if (ok) ok = reader.Num(node, "bootWaitSeconds", spot.boot_wait_seconds, 1);
  if (ok) ok = reader.Num(node, "lifetimeMinutes", spot.lifetime_minutes, 1);
  if (!ok) return ok;
  const YAML::Node sizes = node["sizes"];
  if (!sizes) return Ok();
  if (!sizes.IsMap()) return reader.At(sizes, "'spot.sizes' must map CPU counts to launch specs");
  for (auto it = sizes.begin(); it != sizes.end(); ++it) {
    int cpus = 0;
    if (!YAML::convert<int>::decode(it->first, cpus) || cpus < 1) {
      return reader.At(it->first,
                       "a key of spot.sizes is a CPU count, not '" + it->first.Scalar() + "'");
    }
    const YAML::Node spec = it->second;
    const std::string where = "spot.sizes." + std::to_string(cpus);
    if (auto keys = reader.OnlyKeys(spec, where,
                                    {"instanceType", "imageId", "keyName", "securityGroupIds",
                                     "subnetId", "iamInstanceProfile"});
        !keys) {
      return keys;
    }
    SpotSize size;
    Status read = reader.String(spec, "instanceType", size.instance_type);
    if (read) read = reader.String(spec, "imageId", size.image_id);
    if (read) read = reader.String(spec, "keyName", size.key_name);
    if (read) read = reader.Strings(spec, "securityGroupIds", size.security_group_ids);
    if (read) read = reader.String(spec, "subnetId", size.subnet_id);
    if (read) read = reader.String(spec, "iamInstanceProfile", size.iam_instance_profile);
    if (!read) return read;
    if (size.instance_type.empty() || size.image_id.empty()) {
      return reader.At(spec, where + " needs instanceType and imageId");
    }
    spot.sizes[cpus] = size;
  }
  return Ok();
}

}  // namespace

Expected<HoistConfig> LoadHoistConfig(const std::string& root) {
  HoistConfig config;
  const std::string path = root + "/hoist.yml";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return config;
  config.file = path;
  ConfigReader reader(path);
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": error: " + e.msg};
  }
  if (doc.IsNull()) return config;
  if (auto ok =
          reader.OnlyKeys(doc, "hoist.yml", {"build", "ci", "remotes", "ssh", "spot", "trust"});
      !ok) {
    return ok.error();
  }
  if (const YAML::Node ci = doc["ci"]) {
    Status ok = reader.OnlyKeys(
        ci, "ci",
        {"hoist", "setup", "deployBranches", "runner", "remote", "install", "image", "dynamic"});
    if (ok && ci["dynamic"]) {
      const YAML::Node dynamic = ci["dynamic"];
      if (!dynamic.IsScalar() || !YAML::convert<bool>::decode(dynamic, config.ci.dynamic)) {
        ok = reader.At(dynamic, "ci.dynamic must be true or false");
      }
    }
    if (ok) ok = reader.String(ci, "image", config.ci.image);
    if (ok && ci["install"]) {
      const YAML::Node install = ci["install"];
      ok = reader.OnlyKeys(install, "ci.install", {"image", "url", "sha256"});
      if (ok) ok = reader.String(install, "image", config.ci.install_image);
      if (ok) ok = reader.String(install, "url", config.ci.install_url);
      if (ok) ok = reader.String(install, "sha256", config.ci.install_sha256);
      if (ok && !config.ci.install_image.empty() && !config.ci.install_url.empty()) {
        ok = reader.At(install,
                       "ci.install: give image (hoist self publish prints it) or url "
                       "and sha256, not both");
      }
      if (ok && !config.ci.install_url.empty() &&
          !RE2::FullMatch(config.ci.install_sha256, "[0-9a-f]{64}")) {
        ok = reader.At(install,
                       "ci.install.url needs sha256: the tarball's 64 hex digits "
                       "(sha256sum FILE; scripts/package.sh writes SHA256SUMS)");
      }
      if (ok && !config.ci.install_url.empty() && config.ci.install_url.rfind("https://", 0) != 0) {
        ok = reader.At(install, "ci.install.url must be https://");
      }
      for (const std::string* text : {&config.ci.install_image, &config.ci.install_url}) {
        if (ok && text->find_first_of("'\"\\$` \n") != std::string::npos) {
          ok = reader.At(install, "ci.install: '" + *text +
                                      "' has a quote, space, $ or backquote: not an image "
                                      "reference or URL");
        }
      }
    }
    if (ok) ok = reader.String(ci, "hoist", config.ci.hoist);
    if (ok) ok = reader.String(ci, "setup", config.ci.setup);
    if (ok) ok = reader.Strings(ci, "deployBranches", config.ci.deploy_branches);
    config.ci.deploy_branches_set = static_cast<bool>(ci["deployBranches"]);
    for (const auto& pattern : config.ci.deploy_branches) {
      RE2 regex(pattern, RE2::Quiet);
      if (ok && !regex.ok()) {
        ok = reader.At(ci["deployBranches"], "ci.deployBranches: '" + pattern +
                                                 "' is not a regular expression: " + regex.error());
      }
    }
    if (ok) ok = reader.String(ci, "runner", config.ci.runner);
    if (ok) ok = reader.String(ci, "remote", config.ci.remote);
    if (!ok) return ok.error();
  }
  if (const YAML::Node build = doc["build"]) {
    Status ok = reader.OnlyKeys(build, "build", {"network"});
    if (ok) ok = reader.String(build, "network", config.build_network);
    if (!ok) return ok.error();
  }
  if (doc["remotes"]) {
    if (auto ok = reader.Strings(doc, "remotes", config.remotes); !ok) return ok.error();
    for (const auto& remote : config.remotes) {
      if (remote.rfind("ssh://", 0) != 0) {
        return reader.At(doc["remotes"], "remote '" + remote + "' is not ssh://[USER@]HOST[:PORT]");
      }
    }
  }
  if (const YAML::Node ssh = doc["ssh"]) {
    Status ok = reader.OnlyKeys(ssh, "ssh", {"identityFile", "options"});
    if (ok) ok = reader.String(ssh, "identityFile", config.ssh_identity_file);
    if (ok) ok = reader.Strings(ssh, "options", config.ssh_options);
    if (!ok) return ok.error();
  }
  if (const YAML::Node trust = doc["trust"]) {
    Status ok = reader.OnlyKeys(trust, "trust", {"branches", "tags", "untrustedRegistry"});
    if (ok) ok = reader.Strings(trust, "branches", config.trust.branches);
    if (ok) ok = reader.Strings(trust, "tags", config.trust.tags);
    if (ok) ok = reader.String(trust, "untrustedRegistry", config.trust.untrusted_registry);
    if (!ok) return ok.error();
    config.trust.branches_set = static_cast<bool>(trust["branches"]);
    for (const char* key : {"branches", "tags"}) {
      if (!trust[key]) continue;
      for (const auto& item : trust[key]) {
        RE2 regex(item.IsScalar() ? item.Scalar() : trust[key].Scalar());
        if (!regex.ok()) {
          return reader.At(trust[key], std::string("trust.") + key + ": '" + regex.pattern() +
                                           "' is not a regular expression: " + regex.error());
        }
        if (trust[key].IsScalar()) break;
      }
    }
  }
  if (const YAML::Node spot = doc["spot"]) {
    if (auto ok = LoadSpot(reader, spot, config.spot); !ok) return ok.error();
  }
  return config;
}

}  // namespace hoist
