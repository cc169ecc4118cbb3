#include <time.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "machines/ec2.h"
#include "util/base64.h"
#include "util/json_fields.h"
#include "util/subprocess.h"
#include "util/text.h"

namespace hoist {
namespace {

using nlohmann::json;

/// --tag-specifications in the CLI's shorthand.
std::string TagSpecification(const std::string& resource,
                             const std::map<std::string, std::string>& tags) {
  json spec = {{"ResourceType", resource}, {"Tags", json::array()}};
  for (const auto& [key, value] : tags) spec["Tags"].push_back({{"Key", key}, {"Value", value}});
  return json::array({spec}).dump();
}

Ec2Instance InstanceFrom(const json& item) {
  Ec2Instance instance;
  instance.id = JsonString(item, "InstanceId");
  if (item.contains("State") && item["State"].is_object()) {
    instance.state = JsonString(item["State"], "Name");
  }
  if (item.contains("StateReason") && item["StateReason"].is_object()) {
    instance.state_reason = JsonString(item["StateReason"], "Code");
  }
  instance.private_ip = JsonString(item, "PrivateIpAddress");
  instance.public_ip = JsonString(item, "PublicIpAddress");
  instance.lifecycle = JsonString(item, "InstanceLifecycle");
  if (item.contains("Tags") && item["Tags"].is_array()) {
    for (const auto& tag : item["Tags"]) {
      if (tag.is_object() && tag.value("Key", json()).is_string() &&
          tag.value("Value", json()).is_string()) {
        instance.tags[tag["Key"].get<std::string>()] = tag["Value"].get<std::string>();
      }
    }
  }
  // The AWS CLI prints LaunchTime as ISO 8601 in UTC ("2026-11-30T09:30:00+00:00" or "…Z").
  std::tm when{};
  const std::string launched = item.value("LaunchTime", json()).is_string()
                                   ? item["LaunchTime"].get<std::string>()
                                   : std::string();
  if (strptime(launched.c_str(), "%Y-%m-%dT%H:%M:%S", &when)) instance.launch_time = timegm(&when);
  return instance;
}

std::vector<Ec2Instance> InstancesFrom(const json& reply) {
  std::vector<Ec2Instance> instances;
  if (!reply.contains("Reservations") || !reply["Reservations"].is_array()) return instances;
  for (const auto& reservation : reply["Reservations"]) {
    if (!reservation.contains("Instances") || !reservation["Instances"].is_array()) continue;
    for (const auto& item : reservation["Instances"]) instances.push_back(InstanceFrom(item));
  }
  return instances;
}

}  // namespace

AwsCliEc2::AwsCliEc2(const SpotConfig& config) : config_(config) {
  const char* aws = std::getenv("HOIST_AWS");
  aws_ = aws && *aws ? aws : "aws";
}

Expected<std::string> AwsCliEc2::Call(std::vector<std::string> args, bool cleanup) {
  ProcessSpec spec;
  spec.argv = {aws_};
  if (!config_.endpoint_url.empty()) {
    spec.argv.insert(spec.argv.end(), {"--endpoint-url", config_.endpoint_url});
  }
  if (!config_.region.empty()) spec.argv.insert(spec.argv.end(), {"--region", config_.region});
  spec.argv.push_back("ec2");
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.argv.insert(spec.argv.end(), {"--output", "json"});
  spec.env = {"AWS_PAGER="};
  spec.stoppable = !cleanup;
  spec.shielded = cleanup;
  for (int attempt = 1;; ++attempt) {
    auto result = RunProcess(spec);
    if (!result) {
      if (ProcessesStopped() && !cleanup) return Error{"interrupted"};
      const bool missing = result.error().message.find("No such file") != std::string::npos;
      return Error{
          result.error().message +
          (missing ? " (install the AWS CLI: apt-get install awscli, or set HOIST_AWS)" : "")};
    }
    if (result->exit_code == 0) return result->stdout_text;
    const std::string why = Trim(result->stderr_text);
    const bool not_yet =
        why.find(".NotFound") != std::string::npos && args.front() != "run-instances";
    if (not_yet && attempt < 15 && !(ProcessesStopped() && !cleanup)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(500 * attempt, 3000)));
      continue;
    }
    return Error{"aws ec2 " + args.front() + " failed (exit status " +
                 std::to_string(result->exit_code) + "): " + why};
  }
}

Expected<std::string> AwsCliEc2::RequestSpot(const Ec2Launch& launch, double price) {
  json spec = {{"ImageId", launch.size.image_id},
               {"InstanceType", launch.size.instance_type},
               // The CLI encodes user data for run-instances only; a launch spec carries base64.
               {"UserData", Base64Encode(launch.user_data)}};
  if (!launch.size.key_name.empty()) spec["KeyName"] = launch.size.key_name;
  if (!launch.size.security_group_ids.empty()) {
    spec["SecurityGroupIds"] = launch.size.security_group_ids;
  }
  if (!launch.size.subnet_id.empty()) spec["SubnetId"] = launch.size.subnet_id;
  if (!launch.size.iam_instance_profile.empty()) {
    spec["IamInstanceProfile"] = {{"Name", launch.size.iam_instance_profile}};
  }
  char bid[32];
  std::snprintf(bid, sizeof bid, "%.4f", price);
  auto reply =
      Call({"request-spot-instances", "--spot-price", bid, "--instance-count", "1", "--type",
            "one-time", "--launch-specification", spec.dump(), "--tag-specifications",
            TagSpecification("spot-instances-request", launch.tags)},
           /*cleanup=*/true);  // once sent, its id must be read, even after Ctrl-C
  if (!reply) return reply.error();
  auto parsed = json::parse(*reply, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("SpotInstanceRequests") ||
      !parsed["SpotInstanceRequests"].is_array() || parsed["SpotInstanceRequests"].empty()) {
    return Error{"aws ec2 request-spot-instances returned no request: " + *reply};
  }
  return JsonString(parsed["SpotInstanceRequests"][0], "SpotInstanceRequestId");
}

Expected<SpotRequest> AwsCliEc2::DescribeSpotRequest(const std::string& id, bool cleanup) {
  auto reply =
      Call({"describe-spot-instance-requests", "--spot-instance-request-ids", id}, cleanup);
  if (!reply) return reply.error();
  auto parsed = json::parse(*reply, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("SpotInstanceRequests") ||
      !parsed["SpotInstanceRequests"].is_array() || parsed["SpotInstanceRequests"].empty()) {
    return Error{"aws ec2 describe-spot-instance-requests: no request " + id};
  }
  const json& item = parsed["SpotInstanceRequests"][0];
  SpotRequest request;
  request.id = id;
  request.state = JsonString(item, "State");
  if (item.contains("Status") && item["Status"].is_object()) {
    request.status = JsonString(item["Status"], "Code");
  }
  request.instance_id = JsonString(item, "InstanceId");
  return request;
}

Status AwsCliEc2::CancelSpotRequest(const std::string& id) {
  auto reply = Call({"cancel-spot-instance-requests", "--spot-instance-request-ids", id}, true);
  if (!reply) return reply.error();
  return Ok();
}

Expected<std::string> AwsCliEc2::RunOnDemand(const Ec2Launch& launch) {
  std::vector<std::string> args = {
      "run-instances", "--image-id", launch.size.image_id, "--instance-type",
      launch.size.instance_type, "--count", "1", "--user-data", launch.user_data,
      // The shutdown timer ends the machine, not just stops it.
      "--instance-initiated-shutdown-behavior", "terminate", "--tag-specifications",
      TagSpecification("instance", launch.tags)};
  if (!launch.size.key_name.empty()) args.insert(args.end(), {"--key-name", launch.size.key_name});
  if (!launch.size.security_group_ids.empty()) {
    args.push_back("--security-group-ids");
    args.insert(args.end(), launch.size.security_group_ids.begin(),
                launch.size.security_group_ids.end());
  }
  if (!launch.size.subnet_id.empty())
    args.insert(args.end(), {"--subnet-id", launch.size.subnet_id});
  if (!launch.size.iam_instance_profile.empty()) {
    args.insert(args.end(), {"--iam-instance-profile", "Name=" + launch.size.iam_instance_profile});
  }
  auto reply = Call(args, /*cleanup=*/true);  // once sent, its id must be read
  if (!reply) return reply.error();
  auto parsed = json::parse(*reply, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("Instances") || !parsed["Instances"].is_array() ||
      parsed["Instances"].empty()) {
    return Error{"aws ec2 run-instances returned no instance: " + *reply};
  }
  return JsonString(parsed["Instances"][0], "InstanceId");
}

Expected<Ec2Instance> AwsCliEc2::DescribeInstance(const std::string& id) {
  auto reply = Call({"describe-instances", "--instance-ids", id});
  if (!reply) return reply.error();
  auto instances = InstancesFrom(json::parse(*reply, nullptr, false));
  if (instances.empty()) return Error{"aws ec2 describe-instances: no instance " + id};
  return instances.front();
}

Expected<std::vector<Ec2Instance>> AwsCliEc2::FindLive(
    const std::map<std::string, std::string>& tags) {
  std::vector<std::string> args = {"describe-instances", "--filters"};
  for (const auto& [key, value] : tags) args.push_back("Name=tag:" + key + ",Values=" + value);
  args.push_back("Name=instance-state-name,Values=pending,running,stopping,stopped");
  auto reply = Call(args, true);
  if (!reply) return reply.error();
  return InstancesFrom(json::parse(*reply, nullptr, false));
}

Status AwsCliEc2::Tag(const std::string& id, const std::map<std::string, std::string>& tags) {
  std::vector<std::string> args = {"create-tags", "--resources", id, "--tags"};
  for (const auto& [key, value] : tags) args.push_back("Key=" + key + ",Value=" + value);
  auto reply = Call(args, true);
  if (!reply) return reply.error();
  return Ok();
}

Status AwsCliEc2::Terminate(const std::string& id) {
  auto reply = Call({"terminate-instances", "--instance-ids", id}, true);
  if (!reply) return reply.error();
  return Ok();
}

}  // namespace hoist
